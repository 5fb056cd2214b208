import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/', 'service/dist/', '.cache/', 'loadtest/results/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        __dirname: 'readonly',
        console: 'readonly',
      },
    },
    // CommonJS JavaScript (ecosystem.config.js) can only load modules with require().
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // k6 scripts: ES modules with k6's globals, type-checked by loadtest/tsconfig.json.
    files: ['loadtest/*.js', 'loadtest/lib/*.js'],
    languageOptions: { sourceType: 'module', globals: { __ENV: 'readonly', open: 'readonly', console: 'readonly' } },
  },
);
