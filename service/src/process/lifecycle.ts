/** Process state the routes need to see: readiness turns 503 and connections stop being reused. */
export interface Lifecycle {
  shuttingDown: boolean;
}
