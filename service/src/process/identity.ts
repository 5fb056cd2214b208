import { hostname } from 'node:os';

// In a container the hostname is the replica's id, so hostname + pid names one process anywhere.
const host = hostname();

export const identity = { pid: process.pid, hostname: host };

/** X-Served-By's value, and a completed job's `worker`: hostname/pid. */
export const servedBy = `${host}/${process.pid}`;
