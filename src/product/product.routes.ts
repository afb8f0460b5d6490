import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Db } from '../db/database.js';
import type { RedisClient } from '../redis.js';
import { StockGate } from '../order/stock-gate.js';
import { decodeCursor } from '../common/cursor.js';
import { answerInTransaction } from '../http/idempotency.js';
import { json, jsonBody, route } from '../http/openapi.js';
import { cursorQuery, idParam, intQuery, validationHook } from '../http/validation.js';
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
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    items: z.array(
      z
        .object({
          rank: z.number().int(),
          productId: z.number().int(),
          name: z.string(),
          price: z.number().int(),
          stock: z.number().int(),
          soldQuantity: z.number().int(),
        })
        .openapi('TopProduct'),
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
      route({
        method: 'get',
        path: '/products',
        operationId: 'listProducts',
        summary: 'List products by id',
        tags: ['Products'],
        access: 'public',
        request: { query: z.object({ limit: intQuery('limit', 1, 100, 20), cursor: cursorQuery }) },
        responses: { 200: json(ProductPage, 'Products by id; `stock` is what new orders can take') },
      }),
      async (c) => {
        const { limit, cursor } = c.req.valid('query');
        return c.json(await getProducts(db, limit, decodeCursor(cursor)), 200);
      },
    )
    .openapi(
      route({
        method: 'get',
        path: '/products/top',
        operationId: 'getTopProducts',
        summary: 'Best sellers of the last days',
        description: 'Quantity sold in orders paid within the last `days` days, most first, ties by lower product id.',
        tags: ['Products'],
        access: 'public',
        request: { query: z.object({ days: intQuery('days', 1, 30, 3), limit: intQuery('limit', 1, 50, 5) }) },
        responses: { 200: json(TopProducts, 'Best sellers of paid orders in the window') },
      }),
      async (c) => {
        const { days, limit } = c.req.valid('query');
        return c.json(await getTopProducts(db, days, limit), 200);
      },
    )
    .openapi(
      route({
        method: 'get',
        path: '/products/{productId}',
        operationId: 'getProduct',
        summary: 'A product with its stock',
        tags: ['Products'],
        access: 'public',
        errors: { 404: ['PRODUCT_NOT_FOUND'] },
        request: { params: ProductParams },
        responses: { 200: json(Product, 'The product') },
      }),
      async (c) => c.json(await getProduct(db, c.req.valid('param').productId), 200),
    );
}

export function productAdminRoutes(deps: { db: Db; redis: RedisClient; config: { QUEUE_PREFIX: string } }) {
  const { db } = deps;
  const stockGate = new StockGate(deps.redis, deps.config.QUEUE_PREFIX);
  return new OpenAPIHono({ defaultHook: validationHook })
    .openapi(
      route({
        method: 'post',
        path: '/admin/products',
        operationId: 'createProduct',
        summary: 'Create a product',
        tags: ['Admin'],
        access: 'admin',
        request: { body: jsonBody(NewProduct) },
        responses: { 201: json(Product, 'Created') },
      }),
      async (c) => answerInTransaction(c, db, 201, (transact) => createProduct(db, c.req.valid('json'), transact)),
    )
    .openapi(
      route({
        method: 'patch',
        path: '/admin/products/{productId}',
        operationId: 'updateProduct',
        summary: "Change a product's per-user purchase limit",
        tags: ['Admin'],
        access: 'admin',
        errors: { 404: ['PRODUCT_NOT_FOUND'] },
        request: { params: ProductParams, body: jsonBody(ProductChange) },
        responses: { 200: json(Product, 'Updated') },
      }),
      async (c) => c.json(await updateProduct(db, c.req.valid('param').productId, c.req.valid('json'), stockGate), 200),
    )
    .openapi(
      route({
        method: 'patch',
        path: '/admin/products/{productId}/stock',
        operationId: 'restockProduct',
        summary: "Change a product's stock by a delta (restock)",
        tags: ['Admin'],
        access: 'admin',
        errors: { 404: ['PRODUCT_NOT_FOUND'], 409: ['INSUFFICIENT_STOCK'] },
        request: { params: ProductParams, body: jsonBody(StockDelta) },
        responses: { 200: json(Product, 'Restocked') },
      }),
      async (c) =>
        c.json(await restockProduct(db, c.req.valid('param').productId, c.req.valid('json').delta, stockGate), 200),
    );
}
