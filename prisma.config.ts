// Prisma CLI configuration. The server itself never reads it: at run time the
// database is chosen by src/config (DATABASE_URL or the embedded PGlite).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/roundtable' },
});
