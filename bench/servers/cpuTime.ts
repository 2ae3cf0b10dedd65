import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * CPU time every thread of a process has used so far, in seconds, to the nanosecond: the sum of
 * /proc/PID/task/TID/schedstat's first field (Linux with schedstats); undefined elsewhere. Fine
 * enough to time a burst of a few thousand requests, where clock ticks are too coarse.
 */
export function preciseCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended between the listing and the read
      }
    }
    return ns / 1e9;
  } catch {
    return undefined;
  }
}
