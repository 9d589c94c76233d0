// tar+gzip layers holding plugin.wasm: written reproducibly (fixed mtime, owner, mode) and read back with a size limit.
import { gunzipSync, gzipSync } from "node:zlib";
import { extract, pack } from "tar-stream";

/** Files in a layer, written in this order. */
export interface TarFile {
  name: string;
  data: Uint8Array;
}

/** Same files in, same bytes out: mtime 0, uid/gid 0, mode 0644, gzip without a timestamp. */
export async function tarGzip(files: TarFile[]): Promise<{ gz: Uint8Array; tar: Uint8Array }> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on("data", (c: Buffer) => chunks.push(c));
  const ended = new Promise<void>((resolve, reject) => {
    p.on("end", resolve);
    p.on("error", reject);
  });
  for (const f of files) {
    await new Promise<void>((resolve, reject) =>
      p.entry(
        {
          name: f.name,
          size: f.data.length,
          mode: 0o644,
          mtime: new Date(0),
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
        },
        Buffer.from(f.data),
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  }
  p.finalize();
  await ended;
  const tar = new Uint8Array(Buffer.concat(chunks));
  return { gz: new Uint8Array(gzipSync(tar, { level: 9 })), tar };
}

/** The bytes of the first regular file whose base name is `base` (as Istio looks for plugin.wasm), or undefined. */
export async function findInTarGzip(
  gz: Uint8Array,
  base: string,
  maxBytes = 256 * 1024 * 1024,
): Promise<Uint8Array | undefined> {
  let tar: Buffer;
  try {
    tar = gunzipSync(gz, { maxOutputLength: maxBytes });
  } catch (err) {
    throw new Error(`the layer is not tar+gzip: ${(err as Error).message}`);
  }
  const x = extract();
  let found: Uint8Array | undefined;
  const done = new Promise<void>((resolve, reject) => {
    x.on("entry", (header, stream, next) => {
      const name = header.name.replace(/\/+$/, "");
      const wanted = !found && header.type === "file" && name.split("/").pop() === base;
      const parts: Buffer[] = [];
      stream.on("data", (c: Buffer) => wanted && parts.push(c));
      stream.on("end", () => {
        if (wanted) found = new Uint8Array(Buffer.concat(parts));
        next();
      });
      stream.resume();
    });
    x.on("finish", resolve);
    x.on("error", reject);
  });
  x.end(tar);
  await done;
  return found;
}
