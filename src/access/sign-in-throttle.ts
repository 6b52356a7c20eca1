import { LRUCache } from 'lru-cache';

/**
 * Slows down password guessing. After FREE_FAILURES failed sign-ins for a username (any address), or
 * FREE_FAILURES_PER_ADDRESS from an address (any username: an office behind one address has many users), within
 * WINDOW_MS, further tries wait 30 s, doubling with each failure up to 15 minutes. A success clears the username's
 * count. Held in memory: a restart forgets it, which only ever helps the owner.
 */
const FREE_FAILURES = 5;
const FREE_FAILURES_PER_ADDRESS = 20;
const WINDOW_MS = 15 * 60_000;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 15 * 60_000;

interface Failures {
  count: number;
  last: number;
}

export class SignInThrottle {
  private readonly failures = new LRUCache<string, Failures>({ max: 50_000 });

  constructor(private readonly now: () => number = Date.now) {}

  /** Seconds to wait before this username may be tried from this address, or 0. */
  waitSeconds(username: string, address: string | null): number {
    const wait = Math.max(this.waitFor(`user:${username.toLowerCase()}`, FREE_FAILURES), address ? this.waitFor(`addr:${address}`, FREE_FAILURES_PER_ADDRESS) : 0);
    return Math.ceil(wait / 1000);
  }

  failed(username: string, address: string | null): void {
    this.count(`user:${username.toLowerCase()}`);
    if (address) this.count(`addr:${address}`);
  }

  succeeded(username: string): void {
    this.failures.delete(`user:${username.toLowerCase()}`);
  }

  private count(key: string): void {
    const now = this.now();
    const previous = this.failures.get(key);
    const count = previous && now - previous.last < WINDOW_MS ? previous.count + 1 : 1;
    this.failures.set(key, { count, last: now });
  }

  private waitFor(key: string, free: number): number {
    const entry = this.failures.get(key);
    if (!entry || entry.count < free) return 0;
    const now = this.now();
    if (now - entry.last >= WINDOW_MS) return 0;
    const wait = Math.min(FIRST_WAIT_MS * 2 ** (entry.count - free), LONGEST_WAIT_MS);
    return Math.max(0, entry.last + wait - now);
  }
}
