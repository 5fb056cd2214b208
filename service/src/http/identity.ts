import { hostname } from 'node:os';

// In a container the hostname is the replica's id, so hostname + pid names one worker anywhere.
const host = hostname();

export const servedBy = `${host}/${process.pid}`;

export const handledByText = `Process handled by pid: ${process.pid} on ${host}`;

export const identity = { pid: process.pid, hostname: host };
