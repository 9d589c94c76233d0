// How a plugin worker's replies cross to the driver: as JSON text when they hold only plain data (on the main
// thread JSON.parse builds the request state faster than the structured-clone reader does), as structured clones
// when they carry bytes. Calls go the other way as structured clones: there JSON.stringify was no cheaper.

/** True when JSON.stringify then JSON.parse gives back an equal value (undefined properties aside). */
export function jsonSafe(v: unknown): boolean {
  switch (typeof v) {
    case "string":
    case "boolean":
    case "undefined":
      return true;
    case "number":
      return Number.isFinite(v) && !Object.is(v, -0);
    case "object": {
      if (v === null) return true;
      if (Array.isArray(v)) {
        for (const x of v) if (x === undefined || !jsonSafe(x)) return false;
        return true;
      }
      if (Object.getPrototypeOf(v) !== Object.prototype) return false;
      for (const k in v) if (!jsonSafe((v as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      return false;
  }
}

/** The message as it is posted: JSON text when it can be, else the value itself. */
export function toWire(message: object): object | string {
  return jsonSafe(message) ? JSON.stringify(message) : message;
}

/** The message as it was given to toWire. */
export function fromWire<T>(posted: unknown): T {
  return (typeof posted === "string" ? JSON.parse(posted) : posted) as T;
}
