/** The `kosmos-idv` executable: `bin/kosmos-idv.js` imports the compiled form of this module. */
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
