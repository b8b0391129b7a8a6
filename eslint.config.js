// ESLint (flat config) for the server, the SDK, the web client, the tests and the scripts.
// Besides typescript-eslint's recommended rules it encodes the architecture (docs/ARCHITECTURE.md,
// "Module map"), with `no-restricted-imports` patterns generated from the tables below:
//   - the server's modules form a strict hierarchy: a module imports only modules of lower layers;
//   - no module imports another module's repository (it calls that module's services);
//   - Prisma's generated client is imported only by repositories and persistence/;
//   - src/contract imports nothing from the app;
//   - the web client's features import each other only through their public index.ts, and the
//     shared lib/ and components/ import no feature;
//   - the web client's JSX shows no literal text: words people read come from the catalogues
//     (client/web/src/locales), through t() or <Trans>.
// test/lint-boundaries.e2e-spec.ts shows each of these failing on a deliberate violation.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import i18next from 'eslint-plugin-i18next';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * The server's modules, lowest first. A module may import the modules of lower layers, never one of
 * its own layer or above. `cli` is the admin command's composition root.
 */
export const SERVER_LAYERS = [
  ['contract'],
  ['common', 'config'],
  ['persistence', 'permissions'],
  ['auth', 'safety'],
  ['sessions'],
  ['turns'],
  ['agent'],
  ['moderation'],
  ['privacy', 'reports', 'health', 'lti'],
  ['realtime'],
  ['cli'],
];

/** The web client's features (client/web/src/features/*). */
export const CLIENT_FEATURES = ['auth', 'sessions', 'room', 'console'];

const MODULES = SERVER_LAYERS.flat();
const alternatives = (names) => names.join('|');

/** An import of `names` from anywhere below src/<module>/ (any depth of ../). */
const importOf = (names) => `^(\\.\\./)+(${alternatives(names)})/`;

function serverPatterns(module, { repositoryFile }) {
  const layer = SERVER_LAYERS.findIndex((l) => l.includes(module));
  const above = SERVER_LAYERS.slice(layer)
    .flat()
    .filter((m) => m !== module);
  const patterns = [];
  if (above.length && module !== 'contract') {
    patterns.push({
      regex: importOf(above),
      message: `${module}/ sits below ${above.join(', ')} in the module hierarchy (docs/ARCHITECTURE.md, "Module map"): it may not import them.`,
    });
  }
  const others = MODULES.filter((m) => m !== module);
  // cli/ is a composition root (like src/app.ts): it builds the admin command's repository itself.
  if (module !== 'cli')
    patterns.push({
      regex: `^(\\.\\./)+(${alternatives(others)})/[^'"]*\\.repository(\\.js)?$`,
      message: "A module never imports another module's repository: call that module's services (its public face).",
    });
  if (module === 'contract') {
    patterns.push({
      regex: '^\\.\\./',
      message: 'src/contract is the wire contract: it imports nothing from the app.',
    });
  }
  if (!repositoryFile && module !== 'persistence') {
    patterns.push({
      regex: 'generated/prisma',
      message:
        "Prisma's generated client belongs to repositories and persistence/: use the module's records (e.g. src/sessions/records.ts).",
    });
  }
  return patterns;
}

function serverBoundaries() {
  return MODULES.flatMap((module) => [
    {
      files: [`src/${module}/**/*.ts`],
      ignores: [`src/${module}/**/*.repository.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns: serverPatterns(module, { repositoryFile: false }) }] },
    },
    {
      files: [`src/${module}/**/*.repository.ts`],
      rules: { 'no-restricted-imports': ['error', { patterns: serverPatterns(module, { repositoryFile: true }) }] },
    },
  ]);
}

function clientBoundaries() {
  const root = 'client/web/src';
  const features = CLIENT_FEATURES.map((feature) => ({
    files: [`${root}/features/${feature}/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: `^(\\.\\./)+(${alternatives(CLIENT_FEATURES.filter((f) => f !== feature))})/(?!index\\.js$)`,
              message: 'Features import each other only through their public index.ts.',
            },
            {
              regex: '^(\\.\\./)+app/',
              message: 'A feature does not import the app shell (app/ composes features, not the other way).',
            },
          ],
        },
      ],
    },
  }));
  const shared = {
    files: [`${root}/lib/**/*.{ts,tsx}`, `${root}/components/**/*.{ts,tsx}`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(features|app)/',
              message: 'lib/ and components/ are shared by every feature: they import no feature and not the app.',
            },
          ],
        },
      ],
    },
  };
  return [...features, shared];
}

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'client/web/dist/',
      'src/generated/',
      'coverage/',
      'bench/results/',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      // `_name` marks what is unused on purpose (a destructured field left out, a required parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Nest's decorators and DI need classes with empty bodies and constructor-only parameters.
      '@typescript-eslint/no-extraneous-class': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['client/web/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks, i18next },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // Text in JSX, and the attributes people read or hear, come from the catalogues.
      'i18next/no-literal-string': [
        'error',
        {
          mode: 'jsx-only',
          'jsx-attributes': { include: ['aria-label', 'placeholder', 'title', 'alt', 'label'] },
          // Punctuation and symbols between translated parts (" · ", "▲", "…") are not words.
          words: { exclude: [/^[\s\p{P}\p{S}\d]*$/u] },
        },
      ],
    },
  },
  {
    files: ['client/web/src/**/*.spec.ts'],
    rules: { 'i18next/no-literal-string': 'off' },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    languageOptions: { globals: { ...globals.jest } },
  },
  ...serverBoundaries(),
  ...clientBoundaries(),
  prettier,
);
