// What the audit reports, in a file of its own so the audit and its Go-world rules share it without a cycle.

export type Severity = "error" | "warning" | "info";

/** One audit result; `subject` names the import or export it is about. */
export interface Finding {
  severity: Severity;
  subject?: string;
  message: string;
}
