// Rewrites the tslab kernelspec so the kernel starts with absolute paths to this project's node
// and tslab (tslab's own installer writes a `#!/usr/bin/env node` launcher, which picks whatever
// node is first on the Jupyter server's PATH).
import { readFileSync, writeFileSync } from "node:fs";
const [specPath, node, tslab] = process.argv.slice(2);
const spec = JSON.parse(readFileSync(specPath, "utf8"));
spec.argv = [node, tslab, "kernel", "--config-path", "{connection_file}"];
spec.display_name = "TypeScript";
spec.language = "typescript";
spec.metadata = { ...(spec.metadata ?? {}), debugger: false };
writeFileSync(specPath, JSON.stringify(spec, null, 1) + "\n");
