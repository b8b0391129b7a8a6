export declare const prismaDir: string;
export declare const schemaPath: string;
export declare const migrationsDir: string;
/** The SQL that takes the database from the committed migrations to schema.prisma ('' when in step). */
export declare function diffMigrationsToSchema(): Promise<string>;
