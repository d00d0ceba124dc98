/** The shell: sign-in gate, header with navigation, one page in `<main>`, the live stream. */
import { useEffect, useState } from 'preact/hooks';
import { api, storedKey, storeKey, type User, whenUnauthorized } from './api.js';
import { connect, onConnection } from './events.js';
import { BulkPage } from './pages/bulk.js';
import { ConversationsPage } from './pages/conversations.js';
import { DeliveriesPage } from './pages/deliveries.js';
import { KeysPage } from './pages/keys.js';
import { MessagePage } from './pages/message.js';
import { MessagesPage } from './pages/messages.js';
import { OverviewPage } from './pages/overview.js';
import { PhonesPage } from './pages/phones.js';
import { SendPage } from './pages/send.js';
import { SignInPage } from './pages/sign-in.js';
import { ThreadPage } from './pages/thread.js';
import { WebhooksPage } from './pages/webhooks.js';
import { Link, usePath } from './router.js';

const NAV = [
  { to: '/', label: 'Overview' },
  { to: '/messages', label: 'Messages' },
  { to: '/conversations', label: 'Conversations' },
  { to: '/send', label: 'Send' },
  { to: '/phones', label: 'Phones' },
  { to: '/webhooks', label: 'Webhooks' },
  { to: '/keys', label: 'API keys' },
];

function decoded(part: string): string | null {
  try {
    return decodeURIComponent(part);
  } catch {
    return null;
  }
}

function pageFor(path: string, onKeyChanged: (key: string) => void) {
  const thread = /^\/conversations\/([^/]+)\/([^/]+)$/.exec(path);
  const owner = thread?.[1] ? decoded(thread[1]) : null;
  const contact = thread?.[2] ? decoded(thread[2]) : null;
  if (owner && contact) {
    return {
      title: `Conversation with ${contact}`,
      body: <ThreadPage owner={owner} contact={contact} />,
    };
  }
  if (path === '/conversations') return { title: 'Conversations', body: <ConversationsPage /> };
  if (path === '/keys')
    return { title: 'API keys', body: <KeysPage onKeyChanged={onKeyChanged} /> };
  const message = /^\/messages\/([0-9a-f-]{36})$/.exec(path);
  if (message?.[1]) return { title: 'Message', body: <MessagePage id={message[1]} /> };
  if (path === '/messages') return { title: 'Messages', body: <MessagesPage /> };
  if (path === '/phones') return { title: 'Phones', body: <PhonesPage /> };
  if (path === '/webhooks') return { title: 'Webhooks', body: <WebhooksPage /> };
  const webhook = /^\/webhooks\/([0-9a-f-]{36})$/.exec(path);
  if (webhook?.[1]) {
    return { title: 'Webhook deliveries', body: <DeliveriesPage id={webhook[1]} /> };
  }
  if (path === '/send/bulk') return { title: 'Bulk send', body: <BulkPage /> };
  if (path === '/send') return { title: 'Send a message', body: <SendPage /> };
  if (path === '/') return { title: 'Overview', body: <OverviewPage /> };
  return { title: 'Not found', body: <p>There is no page here.</p> };
}

/**
 * Mounted behind the host's own auth, the API may know the caller without a key (the host's
 * `authenticate` hook reads its session cookie or header): then no sign-in is asked for.
 */
async function hostKnowsCaller(): Promise<boolean> {
  try {
    await api<User>('/v1/users/me', { key: '' });
    return true;
  } catch {
    return false;
  }
}

export function App() {
  const [key, setKey] = useState(storedKey);
  /** null: not asked yet; true: the host's session signs the API calls in. */
  const [host, setHost] = useState<boolean | null>(key ? false : null);
  const [live, setLive] = useState(false);
  const path = usePath();
  const signedIn = Boolean(key) || host === true;
  const signOut = () => {
    storeKey(null);
    setKey(null);
    setHost(false);
  };
  // A rotated key: keep it and reopen the live stream with it, so the tab stays signed in.
  const keyChanged = (next: string) => {
    storeKey(next);
    setKey(next);
  };

  useEffect(() => whenUnauthorized(signOut), []);
  useEffect(() => {
    if (host === null) hostKnowsCaller().then(setHost);
  }, [host]);
  useEffect(() => {
    if (!signedIn) return;
    const stopStatus = onConnection(setLive);
    const stop = connect(signOut);
    return () => {
      stop();
      stopStatus();
    };
  }, [key, signedIn]);

  const page = signedIn ? pageFor(path, keyChanged) : { title: 'Sign in', body: null };
  useEffect(() => {
    document.title = `${page.title} · textport`;
  }, [page.title]);

  if (host === null) {
    return (
      <main id="main" class="signin">
        <p role="status">Loading…</p>
      </main>
    );
  }
  if (!signedIn) {
    return (
      <main id="main" class="signin">
        <SignInPage
          onSignedIn={(k) => {
            storeKey(k);
            setKey(k);
          }}
        />
      </main>
    );
  }
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">textport</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li key={item.to}>
                <Link
                  to={item.to}
                  aria-current={
                    path === item.to || path.startsWith(`${item.to}/`) ? 'page' : undefined
                  }
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span class={live ? 'live on' : 'live'} role="status">
          {live ? 'Live' : 'Offline'}
        </span>
        {key ? (
          <button type="button" class="secondary" onClick={signOut}>
            Sign out
          </button>
        ) : (
          <span class="session">Signed in by the host app</span>
        )}
      </header>
      <main id="main">
        <h1>{page.title}</h1>
        {page.body}
      </main>
    </>
  );
}
