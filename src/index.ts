export * from "./ast.js";
export * from "./errors.js";
export * from "./pointer.js";
export * from "./parser.js";
export * from "./lint.js";
export * from "./writer.js";
export * from "./encoding.js";
