/**
 * kernel-lib: the simulation library behind the Computropolis lessons.
 *
 * The map of the library, one folder per concept:
 *   core/        errors with field names, seeded random numbers
 *   charts/      Plotly figure builders from tidy rows
 *   display/     showing charts, tables and prose in a tslab notebook (Node only)
 */
export * from "./core/errors";
export * from "./core/random";
export * from "./charts/figure";
export * from "./charts/builders";
export * from "./display/bundle";
export * from "./display/show";
