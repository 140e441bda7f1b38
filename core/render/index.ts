/** Renderers, one module per file kind. */
export * from "./types";
export * from "./keepalived-conf";
export * from "./check-scripts";
export * from "./event-checks";
export * from "./notify-scripts";
export * from "./site";
export * from "./node";
