// Preloaded (node --import) into a process under benchmark: reports its peak resident memory on
// exit, on file descriptor 2, as "max-rss-kib=N".
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `\nmax-rss-kib=${process.resourceUsage().maxRSS}\n`));
