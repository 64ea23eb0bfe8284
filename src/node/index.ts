/**
 * crest-query/node: the parts of crest-query that need Node.js (an HTTP server on `node:http`,
 * collections read from JSON files). Everything else lives in the platform-neutral main entry.
 *
 * @example
 * ```ts
 * import { createMockServer } from "crest-query/node";
 * const server = await createMockServer({ collections: { user: [{ _id: "1", sn: "Jensen" }] } });
 * await server.close();
 * ```
 *
 * @packageDocumentation
 * @module crest-query/node
 */
export { createMockServer, type Fault, type MockServer, type MockServerOptions, type RecordedRequest } from "./mock-server.js";
export { collectionStores, openPglite, openPostgres, tableForCollection, type DatabaseConnection } from "./database.js";
