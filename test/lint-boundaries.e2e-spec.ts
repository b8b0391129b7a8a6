import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// The architecture's import rules (eslint.config.js) catch a deliberate violation, and let the
// allowed form through. ESLint runs in a child process (its own module loader, as `npm run lint`),
// over source text given a path inside the project, so nothing is written to the tree.

const root = fileURLToPath(new URL('..', import.meta.url));

interface Case {
  file: string;
  code: string;
}

/** The `no-restricted-imports` and `i18next/no-literal-string` messages ESLint reports for each case, in order. */
async function restricted(cases: Case[]): Promise<string[][]> {
  const script = `
    import { ESLint } from 'eslint';
    const cases = JSON.parse(process.argv[1]);
    const eslint = new ESLint({ cwd: process.cwd() });
    const out = [];
    for (const c of cases) {
      const [result] = await eslint.lintText(c.code, { filePath: c.file });
      out.push(result.messages.filter((m) => ['no-restricted-imports', 'i18next/no-literal-string'].includes(m.ruleId)).map((m) => m.message));
    }
    console.log(JSON.stringify(out));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script, JSON.stringify(cases)],
    { cwd: root, maxBuffer: 4 << 20 },
  );
  return JSON.parse(stdout) as string[][];
}

describe('the lint config encodes the architecture', () => {
  let results: string[][];
  const cases: Record<string, Case> = {
    otherRepository: {
      file: 'src/turns/example.service.ts',
      code: "import { SessionsRepository } from '../sessions/sessions.repository.js';\nexport const x = SessionsRepository;\n",
    },
    otherService: {
      file: 'src/turns/example.service.ts',
      code: "import { SessionRecords } from '../sessions/session-records.service.js';\nexport const x = SessionRecords;\n",
    },
    ownRepository: {
      file: 'src/turns/example.service.ts',
      code: "import { HandsRepository } from './hands.repository.js';\nexport const x = HandsRepository;\n",
    },
    upward: {
      file: 'src/sessions/example.service.ts',
      code: "import { TurnsService } from '../turns/turns.service.js';\nexport const x = TurnsService;\n",
    },
    contract: {
      file: 'src/contract/example.ts',
      code: "import { newId } from '../common/ids.js';\nexport const x = newId;\n",
    },
    prismaInService: {
      file: 'src/moderation/example.service.ts',
      code: "import type { Message } from '../generated/prisma/client.js';\nexport type X = Message;\n",
    },
    prismaInRepository: {
      file: 'src/moderation/example.repository.ts',
      code: "import { PrismaClient } from '../generated/prisma/client.js';\nexport const x = PrismaClient;\n",
    },
    featureInternals: {
      file: 'client/web/src/features/console/example.tsx',
      code: "import { nameOf } from '../room/state/room-state.js';\nexport const x = nameOf;\n",
    },
    featureIndex: {
      file: 'client/web/src/features/console/example.tsx',
      code: "import { nameOf } from '../room/index.js';\nexport const x = nameOf;\n",
    },
    sharedImportsFeature: {
      file: 'client/web/src/lib/example.ts',
      code: "import { auth } from '../features/auth/index.js';\nexport const x = auth;\n",
    },
    literalText: {
      file: 'client/web/src/features/room/example.tsx',
      code: 'export function X() {\n  return <p title="Raised hands">Nothing waiting.</p>;\n}\n',
    },
    translatedText: {
      file: 'client/web/src/features/room/example.tsx',
      code:
        "import { useTranslation } from 'react-i18next';\nexport function X() {\n  const { t } = useTranslation();\n" +
        "  return <p title={t('sidebar.hands')} data-testid=\"queue\">{t('sidebar.nothingWaiting')} · ▲ 3</p>;\n}\n",
    },
  };
  const names = Object.keys(cases);
  const of = (name: string) => results[names.indexOf(name)];

  beforeAll(async () => {
    results = await restricted(Object.values(cases));
  }, 60_000);

  it("refuses a module importing another module's repository, and allows its services and its own repository", () => {
    expect(of('otherRepository')).toEqual([expect.stringContaining("never imports another module's repository")]);
    expect(of('otherService')).toEqual([]);
    expect(of('ownRepository')).toEqual([]);
  });

  it('refuses an import up the module hierarchy', () => {
    expect(of('upward')).toEqual([expect.stringContaining('sessions/ sits below')]);
  });

  it('keeps the contract free of the app', () => {
    expect(of('contract')).toEqual([expect.stringContaining('imports nothing from the app')]);
  });

  it("keeps Prisma's generated client in repositories", () => {
    expect(of('prismaInService')).toEqual([
      expect.stringContaining("Prisma's generated client belongs to repositories"),
    ]);
    expect(of('prismaInRepository')).toEqual([]);
  });

  it('lets client features meet only through their public index, and keeps lib/ free of features', () => {
    expect(of('featureInternals')).toEqual([expect.stringContaining('only through their public index')]);
    expect(of('featureIndex')).toEqual([]);
    expect(of('sharedImportsFeature')).toEqual([expect.stringContaining('import no feature')]);
  });

  it('refuses words written into the web client’s JSX, and lets catalogue strings and punctuation through', () => {
    expect(of('literalText')).toEqual([
      expect.stringContaining('Raised hands'),
      expect.stringContaining('Nothing waiting.'),
    ]);
    expect(of('translatedText')).toEqual([]);
  });
});
