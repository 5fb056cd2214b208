import js from '@eslint/js';
import importPlugin from 'eslint-plugin-import';
import tseslint from 'typescript-eslint';

// service/src's layers, highest first (docs/architecture.md): each imports only from the layers it `uses`, so
// dependencies point one way, down a flip's path. observability and process see the rest through small
// interfaces that live in flip/ (the scheduler contract) or are declared where they are needed.
const layers = {
  'entry points': { paths: ['{server,worker,cluster,nginx-exporter}.ts'], uses: 'all' },
  http: { paths: ['http/**'], uses: ['queue', 'flip', 'observability', 'process', 'config and errors'] },
  queue: { paths: ['queue/**'], uses: ['flip', 'observability', 'process', 'config and errors'] },
  engines: { paths: ['engines/**'], uses: ['flip', 'config and errors'] },
  observability: { paths: ['observability/**'], uses: ['flip', 'process', 'config and errors'] },
  process: { paths: ['process/**'], uses: ['config and errors'] },
  flip: { paths: ['flip/**'], uses: ['config and errors'] },
  'config and errors': { paths: ['{config,errors}.ts'], uses: [] },
};
// Globs only: the rule takes no mix of globs and plain paths.
const inSource = (paths) => paths.map((path) => `service/src/${path}`);
export const layerZones = Object.entries(layers)
  .filter(([, layer]) => layer.uses !== 'all')
  .map(([name, layer]) => {
    const forbidden = Object.keys(layers).filter((other) => other !== name && !layer.uses.includes(other));
    return {
      target: inSource(layer.paths),
      from: forbidden.flatMap((other) => inSource(layers[other].paths)),
      message: `${name} may import only from ${[name, ...layer.uses].join(', ')} (layers point one way).`,
    };
  });

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
    files: ['service/src/**/*.ts'],
    plugins: { import: importPlugin },
    settings: { 'import/resolver': { node: { extensions: ['.ts', '.js'] } } },
    rules: { 'import/no-restricted-paths': ['error', { basePath: import.meta.dirname, zones: layerZones }] },
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
