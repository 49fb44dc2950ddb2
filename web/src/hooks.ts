import { useCallback, useEffect, useRef, useState } from 'react';

// usePoll calls load now and every intervalMs, keeping the last good data
// while a refresh runs, so the page updates in place and never flickers or
// reloads. reload() forces an immediate refresh (after a mutation).
export function usePoll<T>(load: () => Promise<T>, intervalMs: number, key: string) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const alive = useRef(true);
  const seq = useRef(0);

  const tick = useCallback(async () => {
    clearTimeout(timer.current);
    const mine = ++seq.current;
    try {
      const d = await loadRef.current();
      if (alive.current && mine === seq.current) {
        setData(d);
        setError(undefined);
      }
    } catch (e) {
      if (alive.current && mine === seq.current) setError(e);
    }
    if (alive.current && mine === seq.current && intervalMs > 0) {
      timer.current = setTimeout(tick, intervalMs);
    }
  }, [intervalMs]);

  useEffect(() => {
    alive.current = true;
    setData(undefined);
    void tick();
    return () => {
      alive.current = false;
      clearTimeout(timer.current);
    };
  }, [tick, key]);

  return { data, error, reload: tick };
}

// useNow re-renders every intervalMs with the current time (countdowns).
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

// useRoute is the hash route ("#/clusters/clu-…/nodes" → ["clusters", "clu-…", "nodes"]):
// static hosting (S3, the local gateway) needs no rewrite rules for it.
export function useRoute(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const on = () => setParts(read());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return parts;
}

export function go(path: string) {
  window.location.hash = '#/' + path.replace(/^\//, '');
}
