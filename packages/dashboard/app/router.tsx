/**
 * A tiny history router relative to the page's `<base>` (the mount point), so the same build
 * works at `/` and at `/sms/admin`.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

function basePath(): string {
  return new URL(document.baseURI).pathname.replace(/\/+$/, '');
}

/** The path below the mount point, e.g. `/messages/…`. */
export function currentPath(): string {
  const path = location.pathname.slice(basePath().length);
  return path === '' ? '/' : path;
}

/** A thread page's address: `/conversations/{owner}/{contact}`, each part URI-encoded. */
export function threadPath(owner: string, contact: string): string {
  return `/conversations/${encodeURIComponent(owner)}/${encodeURIComponent(contact)}`;
}

const listeners = new Set<() => void>();

export function navigate(to: string): void {
  history.pushState(null, '', `${basePath()}${to}`);
  for (const listener of listeners) listener();
}

export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return path;
}

export function Link(props: {
  to: string;
  children: ComponentChildren;
  'aria-current'?: 'page' | undefined;
  /** Runs before the app follows the link. */
  onFollow?: () => void;
}) {
  const { to, children } = props;
  return (
    <a
      aria-current={props['aria-current']}
      href={`${basePath()}${to}`}
      onClick={(event) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
        event.preventDefault();
        props.onFollow?.();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}
