import { readFileSync } from 'node:fs';

/**
 * CPU time (user + system) a process has used so far, in seconds, from /proc (Linux); undefined
 * elsewhere. Clock ticks are USER_HZ, 100 a second on Linux whatever the kernel's own tick.
 */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime
  } catch {
    return undefined;
  }
}
