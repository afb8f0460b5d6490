// The size limits of `npm run lint:structure`: no file over 250 lines and no function over 60
// (blank lines and comments not counted) in the product (apps/, src/, workers/) and the tools
// (bench/, rush/, scripts/, toolkit/); generated files (client/schema.ts) aside. Syntax only, no
// type information, so it runs in seconds beside the type-aware `eslint .`.
import tseslint from 'typescript-eslint';

const folders = ['apps', 'src', 'workers', 'bench', 'rush', 'scripts', 'toolkit'];

export default tseslint.config({
  files: folders.map((f) => `${f}/**/*.ts`),
  languageOptions: { parser: tseslint.parser },
  // The product's inline directives name the main config's rules: known here, and not reported as unused.
  plugins: { '@typescript-eslint': tseslint.plugin },
  linterOptions: { reportUnusedDisableDirectives: 'off' },
  rules: {
    'max-lines': ['error', { max: 250, skipBlankLines: true, skipComments: true }],
    'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true }],
  },
});
