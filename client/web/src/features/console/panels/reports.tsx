import { useEffect, useRef, useState } from 'react';
import type { Participation, PersonParticipation } from '../../../../../sdk/roundtable-client.js';
import { api, downloadFile } from '../../../lib/api.js';
import { describeError } from '../../../lib/ui.js';
import type { RoomState } from '../../room/index.js';

type PersonRow = PersonParticipation;
type Report = Participation;

type Column = Exclude<keyof PersonRow, 'user_id' | 'guest' | 'removed'>;
const COLUMNS: Array<[Column, string]> = [
  ['name', 'Person'],
  ['asked', 'Asked'],
  ['answered', 'Answered'],
  ['waiting', 'Waiting'],
  ['wait_median_ms', 'Median wait'],
  ['wait_max_ms', 'Longest wait'],
  ['tokens', 'Tokens'],
  ['hands_raised', 'Hands'],
  ['hands_granted', 'Floor'],
  ['times_muted', 'Muted'],
];

const seconds = (ms: number | null) =>
  ms === null ? '–' : ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
const cell = (row: PersonRow | Report['totals'], column: Column) =>
  column === 'wait_median_ms' || column === 'wait_max_ms'
    ? seconds(row[column])
    : column === 'name'
      ? (row as PersonRow).name
      : String((row as PersonRow)[column]);

/**
 * Who took part, live: per person questions asked, answered and waiting, how
 * long answers took, tokens, hands and mutes, with the session's totals on
 * top. Sortable by any column; also a CSV from REST.
 */
export function Participation({ room, token }: { room: RoomState; token: string }) {
  const [report, setReport] = useState<Report | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<{ column: Column; descending: boolean }>({ column: 'asked', descending: true });
  const [open, setOpen] = useState(false);
  const lastFetch = useRef(0);

  // Live while open: again after durable events, at most every 2 s.
  useEffect(() => {
    if (!open) return;
    let stale = false;
    const wait = Math.max(0, lastFetch.current + 2000 - Date.now());
    const timer = setTimeout(() => {
      lastFetch.current = Date.now();
      api(token)
        .participation(room.session.id)
        .then((answer) => !stale && (setReport(answer), setError(null)))
        .catch((failure: unknown) => !stale && setError(describeError(failure)));
    }, wait);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, [open, room.seq, room.session.id, token]);

  const rows = [...(report?.people ?? [])].sort((a, b) => {
    const x = a[sort.column] ?? -1;
    const y = b[sort.column] ?? -1;
    const order = typeof x === 'string' ? x.localeCompare(String(y)) : (x as number) - (y as number);
    return sort.descending ? -order : order;
  });

  return (
    <section aria-labelledby="participation-heading">
      <details open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>
          <h3 id="participation-heading">Participation</h3>
        </summary>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {report && (
          <>
            <p data-testid="participation-totals">
              {report.totals.people} people · {report.totals.asked} asked · {report.totals.answered} answered ·{' '}
              {report.totals.waiting} waiting · median wait {seconds(report.totals.wait_median_ms)} ·{' '}
              {report.totals.tokens} tokens
            </p>
            <div className="table-scroll">
              <table className="participation" data-testid="participation">
                <caption className="sr-only">Participation per person</caption>
                <thead>
                  <tr>
                    {COLUMNS.map(([column, label]) => (
                      <th
                        key={column}
                        scope="col"
                        aria-sort={sort.column === column ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                      >
                        <button
                          type="button"
                          className="link-button"
                          onClick={() =>
                            setSort((s) => ({
                              column,
                              descending: s.column === column ? !s.descending : column !== 'name',
                            }))
                          }
                          aria-label={`Sort by ${label.toLowerCase()}`}
                        >
                          {label}
                        </button>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.user_id} data-testid="participation-row" data-name={row.name}>
                      {COLUMNS.map(([column], i) =>
                        i === 0 ? (
                          <th key={column} scope="row">
                            {row.name}
                            {row.removed ? ' (removed)' : ''}
                          </th>
                        ) : (
                          <td key={column}>{cell(row, column)}</td>
                        ),
                      )}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
        <button
          type="button"
          onClick={() =>
            void downloadFile(
              token,
              `/sessions/${room.session.id}/participation?format=csv`,
              `participation-${room.session.title}.csv`,
            ).catch((f: unknown) => setError(describeError(f)))
          }
        >
          Download as CSV
        </button>
      </details>
    </section>
  );
}

/** The transcript, as Markdown or JSON, with private notes only if chosen. */
export function TranscriptDownload({ room, token }: { room: RoomState; token: string }) {
  const [notes, setNotes] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const get = (format: 'markdown' | 'json') =>
    downloadFile(
      token,
      `/sessions/${room.session.id}/transcript?format=${format}${notes ? '&include_notes=true' : ''}`,
      `${room.session.title}.${format === 'markdown' ? 'md' : 'json'}`,
    ).then(
      () => setError(null),
      (failure: unknown) => setError(describeError(failure)),
    );
  return (
    <section aria-labelledby="transcript-heading">
      <h3 id="transcript-heading">Transcript</h3>
      <label className="inline">
        <input type="checkbox" checked={notes} onChange={(e) => setNotes(e.target.checked)} /> Include private notes
      </label>
      <div className="row-actions">
        <button type="button" onClick={() => void get('markdown')}>
          Download Markdown
        </button>
        <button type="button" onClick={() => void get('json')}>
          Download JSON
        </button>
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
