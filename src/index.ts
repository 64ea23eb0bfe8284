/**
 * crest-query: the ForgeRock / Ping Identity CREST `_queryFilter` language in TypeScript. A parser
 * that accepts what the servers accept, a typed builder, a canonical writer and URL encoding, an
 * in-memory evaluator and query engine, a paging request helper, and a mock CREST server.
 *
 * @example
 * ```ts
 * import { encodeQueryFilter, field, parseFilter } from "crest-query";
 * encodeQueryFilter(parseFilter("/mail eq 'a+b@example.com'"));
 * String(field("sn").eq("O'Brien")); // '/sn eq "O\'Brien"'
 * ```
 *
 * @packageDocumentation
 * @module crest-query
 */
export {
  CORE_OPERATORS,
  isCoreOperator,
  isExtendedOperatorName,
  assertFilter,
  isFilterNode,
  MAX_SHARED_USES,
  type AndFilter,
  type ComparisonFilter,
  type CoreOperator,
  type Filter,
  type FilterValue,
  type LiteralFilter,
  type NotFilter,
  type OrFilter,
  type Pointer,
  type PresenceFilter,
} from "./language/ast.js";
export {
  FilterSyntaxError,
  positionAt,
  renderCaret,
  type FilterSyntaxErrorCode,
  type FilterSyntaxErrorDetails,
  type SourcePosition,
} from "./language/errors.js";
export { formatPointer, parsePointer, type ParsePointerOptions } from "./language/pointer.js";
export { DEFAULT_MAX_NESTING } from "./language/limits.js";
export { parseFilter, type ParseFilterOptions } from "./language/parser.js";
export { checkFilter, lintFilter, type FilterCheck, type FilterWarning, type FilterWarningCode } from "./language/lint.js";
export { formatFilter, formatValue, MAX_FILTER_DEPTH, type FormatFilterOptions } from "./language/writer.js";
export {
  decodeQueryFilter,
  encodeQueryComponent,
  encodeQueryFilter,
  type EncodeQueryFilterOptions,
} from "./language/encoding.js";
export { filterFromJson, filterToJson, type FilterJson, type FilterValueJson } from "./language/json.js";
export {
  always,
  and,
  decimal,
  field,
  isFieldRef,
  isFilter,
  literal,
  never,
  not,
  or,
  type BuilderValue,
  type Decimal,
  type FieldRef,
} from "./build/builder.js";
export { filter, type Interpolation } from "./build/template.js";
export {
  filterEquals,
  foldFilter,
  forEachTest,
  mapFields,
  referencedFields,
  simplifyFilter,
  transformFilter,
  type FilterFolder,
} from "./build/transform.js";
export {
  fieldsOf,
  type EqualityTests,
  type FieldPath,
  type FieldType,
  type OrderingTests,
  type TestedValue,
  type TextTests,
  type TypedField,
  type TypedFieldBase,
  type ValueOfType,
} from "./build/typed.js";
export {
  compareIgnoringCase,
  compileFilter,
  matchesFilter,
  type EvaluateOptions,
  type ExtendedOperator,
  type ResourcePredicate,
} from "./eval/evaluator.js";
export { CrestError, type CrestErrorBody, type CrestErrorOptions } from "./query/crest-error.js";
export {
  formatQueryParams,
  parseQueryParams,
  type QueryParamsInput,
  type QueryRequest,
  type SortKey,
  type TotalPagedResultsPolicy,
} from "./query/query-params.js";
export { compareSortValues, sortResources } from "./query/sort.js";
export { projectFields } from "./query/projection.js";
export { QueryCache, queryCollection, type NamedQuery, type PageSource, type QueryOptions, type QueryResponse } from "./query/query-engine.js";
export {
  buildQueryUrl,
  queryAll,
  queryPage,
  queryPages,
  type QueryClientOptions,
  type QueryPage,
} from "./client/client.js";
export { type CrestRequestOptions, type RedirectPolicy, type RetryInfo, type RetryOptions } from "./client/request.js";
export {
  createCrestClient,
  type ActionOptions,
  type CallOptions,
  type CreateOptions,
  type CrestClient,
  type CrestClientOptions,
  type CrestResource,
  type ReadOptions,
  type ResourceQuery,
  type ResourceQueryOptions,
  type RevisionOptions,
  type Stored,
} from "./client/crest-client.js";
export { patch, type ElementOf, type PatchBuilder, type PatchPath, type PatchValue } from "./client/patch-builder.js";
export {
  jwtExchange,
  serviceAccount,
  type JwtExchangeOptions,
  type ServiceAccountOptions,
  type TokenExchangeOptions,
  type TokenProvider,
} from "./client/auth.js";
export { type RateLimitOptions } from "./client/gate.js";
export { type BulkFailure, type BulkOptions, type BulkPosition, type BulkReport } from "./client/bulk.js";
export {
  applyPatch,
  jsonEquals,
  MAX_PATCH_OPERATIONS,
  validatePatch,
  type ApplyPatchOptions,
  type PatchOperation,
  type PatchOperationName,
  type PatchTransform,
} from "./query/patch.js";
export type { CollectionStore, StoredResource, WriteOptions } from "./store/store.js";
export { MemoryStore, type MemoryStoreOptions } from "./store/memory-store.js";
export {
  createCrestHandler,
  type ActionRequest,
  type CollectionActions,
  type CrestAction,
  type CrestHandler,
  type CrestHandlerOptions,
} from "./server/handler.js";
export { type CrestAuthOptions, type ServiceAccount } from "./server/auth.js";
export {
  ARRAY_NESTING_SEARCHED,
  DEFAULT_POSTGRES_COLLATIONS,
  detectPostgresCollations,
  NotTranslatableError,
  toPostgres,
  type PostgresCollations,
  type PostgresExecutor,
  type SqlOperator,
  type SqlOperatorContext,
  type SqlQuery,
  type ToPostgresOptions,
} from "./pushdown/postgres.js";
export { PostgresCollectionStore, type PostgresStoreOptions } from "./store/postgres-store.js";
export { toLdapFilter, type ToLdapFilterOptions } from "./pushdown/ldap.js";
export { toMongoQuery, type MongoQuery, type ToMongoQueryOptions } from "./pushdown/mongo.js";
