import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import { decodeCursor } from '../shared/cursor.js';
import { idParam, intQuery, json, jsonBody, problemResponses, validationHook } from '../http/validation.js';
import {
  createProduct,
  getProduct,
  getProducts,
  getTopProducts,
  restockProduct,
  updateProduct,
} from './product.service.js';

const Product = z
  .object({
    id: z.number().int(),
    name: z.string(),
    price: z.number().int(),
    stock: z.number().int(),
    maxPerUser: z.number().int().nullable().openapi({
      description: 'Most units one user may hold in PENDING_PAYMENT and PAID orders; null when unlimited',
    }),
  })
  .openapi('Product');
const MaxPerUser = z.number().int().min(1).max(1_000_000);
const ProductPage = z.object({ items: z.array(Product), nextCursor: z.string().nullable() }).openapi('ProductPage');
const TopProducts = z
  .object({
    from: z.string(),
    to: z.string(),
    items: z.array(
      z.object({
        rank: z.number().int(),
        productId: z.number().int(),
        name: z.string(),
        price: z.number().int(),
        stock: z.number().int(),
        soldQuantity: z.number().int(),
      }),
    ),
  })
  .openapi('TopProducts');
const NewProduct = z
  .object({
    name: z.string().trim().min(1).max(200),
    price: z.number().int().min(0).max(1_000_000_000),
    stock: z.number().int().min(0).max(1_000_000_000),
    maxPerUser: MaxPerUser.nullable().optional(),
  })
  .openapi('NewProduct');
const ProductChange = z.object({ maxPerUser: MaxPerUser.nullable() }).openapi('ProductChange');
const StockDelta = z
  .object({
    delta: z
      .number()
      .int()
      .min(-1_000_000_000)
      .max(1_000_000_000)
      .refine((d) => d !== 0, 'delta must not be 0'),
  })
  .openapi('StockDelta');
const ProductParams = z.object({ productId: idParam('productId') });

export function productRoutes(deps: { db: Db }) {
  const { db } = deps;
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(
      createRoute({
        method: 'get',
        path: '/products',
        tags: ['Products'],
        request: { query: z.object({ limit: intQuery('limit', 1, 100, 20), cursor: z.string().max(200).optional() }) },
        responses: { 200: json(ProductPage, 'Products by id'), ...problemResponses(400) },
      }),
      async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await getProducts(db, limit, decodeCursor(cursor)), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/products/top',
        tags: ['Products'],
        request: { query: z.object({ days: intQuery('days', 1, 30, 3), limit: intQuery('limit', 1, 50, 5) }) },
        responses: { 200: json(TopProducts, 'Best sellers of paid orders in the window'), ...problemResponses(400) },
      }),
      async (c) => {
        const { days, limit } = c.req.valid('query');
        return c.json(await getTopProducts(db, days, limit), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/products/{productId}',
        tags: ['Products'],
        request: { params: ProductParams },
        responses: { 200: json(Product, 'The product'), ...problemResponses(400, 404) },
      }),
      async (c) => c.json(await getProduct(db, c.req.valid('param').productId), 200),
    );
}

export function productAdminRoutes(deps: { db: Db }) {
  const { db } = deps;
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(
      createRoute({
        method: 'post',
        path: '/admin/products',
        tags: ['Admin'],
        security: [{ adminBearer: [] }],
        request: { body: jsonBody(NewProduct) },
        responses: { 201: json(Product, 'Created'), ...problemResponses(400, 401, 413, 422) },
      }),
      async (c) => c.json(await createProduct(db, c.req.valid('json')), 201),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/admin/products/{productId}',
        tags: ['Admin'],
        security: [{ adminBearer: [] }],
        request: { params: ProductParams, body: jsonBody(ProductChange) },
        responses: { 200: json(Product, 'Updated'), ...problemResponses(400, 401, 404) },
      }),
      async (c) => c.json(await updateProduct(db, c.req.valid('param').productId, c.req.valid('json')), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/admin/products/{productId}/stock',
        tags: ['Admin'],
        security: [{ adminBearer: [] }],
        request: { params: ProductParams, body: jsonBody(StockDelta) },
        responses: { 200: json(Product, 'Restocked'), ...problemResponses(400, 401, 404, 409) },
      }),
      async (c) => c.json(await restockProduct(db, c.req.valid('param').productId, c.req.valid('json').delta), 200),
    );
}
