import { main } from "/work/wt/i14/src/cli/main.js";
process.exit(await main(process.argv.slice(2)));
