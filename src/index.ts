export * from "./ast.js";
export * from "./errors.js";
export * from "./pointer.js";
export * from "./parser.js";
export * from "./lint.js";
