/** Throwaway stacks for tests: the same helper the benchmark uses. */
export * from "../../scripts/lib/throwaway-stack";
