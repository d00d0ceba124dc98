/**
 * The overview's activity (`GET /v1/activity`): messages by status, a chart of the last 24
 * hours (sent and received per hour, with a table of the same numbers for screen readers), and
 * the webhook deliveries that failed.
 */
import { type Activity, type ActivityHour, api } from '../api.js';
import { ErrorLine, Section, Status } from '../format.js';
import { useLive } from '../live.js';
import { Link } from '../router.js';

const WIDTH = 720;
const HEIGHT = 160;
const AXIS = 18;

function hourLabel(start: string): string {
  return new Date(start).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

function Chart({ hours }: { hours: ActivityHour[] }) {
  const peak = Math.max(1, ...hours.map((h) => h.sent + h.received));
  const slot = WIDTH / hours.length;
  const bar = Math.max(2, slot - 4);
  const y = (n: number) => ((HEIGHT - AXIS) * n) / peak;
  const total = hours.reduce((sum, h) => sum + h.sent, 0);
  const received = hours.reduce((sum, h) => sum + h.received, 0);
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${total} sent and ${received} received in the last ${hours.length} hours; busiest hour ${peak}`}
      >
        {hours.map((h, i) => {
          const x = i * slot + (slot - bar) / 2;
          const sent = y(h.sent);
          const got = y(h.received);
          return (
            <g key={h.start}>
              <title>{`${hourLabel(h.start)}: ${h.sent} sent, ${h.received} received, ${h.failed} failed`}</title>
              <rect class="bar-sent" x={x} y={HEIGHT - AXIS - sent} width={bar} height={sent} />
              <rect
                class="bar-received"
                x={x}
                y={HEIGHT - AXIS - sent - got}
                width={bar}
                height={got}
              />
              {i % 6 === 0 && (
                <text x={x} y={HEIGHT - 4} class="axis">
                  {hourLabel(h.start)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        Per hour: <span class="key sent">sent</span> and <span class="key received">received</span>
        {`; the busiest hour had ${peak} ${peak === 1 ? 'message' : 'messages'}.`}
      </figcaption>
      <table class="visually-hidden">
        <caption>Messages per hour</caption>
        <thead>
          <tr>
            <th scope="col">Hour</th>
            <th scope="col">Sent</th>
            <th scope="col">Delivered</th>
            <th scope="col">Failed</th>
            <th scope="col">Received</th>
          </tr>
        </thead>
        <tbody>
          {hours.map((h) => (
            <tr key={h.start}>
              <th scope="row">{hourLabel(h.start)}</th>
              <td>{h.sent}</td>
              <td>{h.delivered}</td>
              <td>{h.failed}</td>
              <td>{h.received}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export function ActivitySection() {
  const activity = useLive(
    (signal) => api<Activity>('/v1/activity', { signal }),
    [],
    (e) => e.type.startsWith('message.'),
    // The counts read every message of the account: while messages flow, every 5 s is enough.
    5000,
  );
  const data = activity.data;
  const failures = data?.webhook_deliveries;
  return (
    <>
      <Section title="Messages by status">
        <ErrorLine error={activity.error} />
        {data && (
          <ul class="counts">
            {Object.entries(data.counts).map(([status, n]) => (
              <li key={status} data-status={status}>
                <Status value={status} /> <strong>{n}</strong>
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Last 24 hours">
        {data && <Chart hours={data.hours} />}
        {failures && (
          <p class={failures.failed > 0 ? 'error' : undefined} data-webhook-failures>
            Webhook deliveries: <strong>{failures.failed}</strong> failed,{' '}
            <strong>{failures.retrying}</strong> being retried.{' '}
            <Link to="/webhooks">See the webhooks</Link>
          </p>
        )}
      </Section>
    </>
  );
}
