import { useEffect, useRef, useState } from 'react';
import type { Participation, PersonParticipation } from '../../../../../sdk/roundtable-client.js';
import { api, downloadFile } from '../../../lib/api.js';
import { describeError } from '../../../lib/ui.js';
import { formatNumber, t } from '../../../lib/i18n.js';
import { useTranslation } from 'react-i18next';
import type { RoomState } from '../../room/index.js';

type PersonRow = PersonParticipation;
type Report = Participation;

/** The columns shown, in order (a person's role is not one). */
const COLUMNS = [
  'name',
  'asked',
  'answered',
  'waiting',
  'wait_median_ms',
  'wait_max_ms',
  'tokens',
  'hands_raised',
  'hands_granted',
  'times_muted',
] as const satisfies ReadonlyArray<keyof PersonRow>;
type Column = (typeof COLUMNS)[number];
const seconds = (ms: number | null) =>
  ms === null
    ? '–'
    : t('reports.seconds', {
        seconds: formatNumber(ms / 1000, {
          maximumFractionDigits: ms < 10_000 ? 1 : 0,
          minimumFractionDigits: ms < 10_000 ? 1 : 0,
        }),
      });
const cell = (row: PersonRow | Report['totals'], column: Column) =>
  column === 'wait_median_ms' || column === 'wait_max_ms'
    ? seconds(row[column])
    : column === 'name'
      ? (row as PersonRow).name
      : formatNumber((row as PersonRow)[column] as number);

/**
 * Who took part, live: per person questions asked, answered and waiting, how
 * long answers took, tokens, hands and mutes, with the session's totals on
 * top. Sortable by any column; also a CSV from REST.
 */
export function Participation({ room, token }: { room: RoomState; token: string }) {
  const { t } = useTranslation();
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
          <h3 id="participation-heading">{t('reports.participation')}</h3>
        </summary>
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
        {report && (
          <>
            <p data-testid="participation-totals">
              {t('reports.totals', {
                count: report.totals.people,
                asked: formatNumber(report.totals.asked),
                answered: formatNumber(report.totals.answered),
                waiting: formatNumber(report.totals.waiting),
                wait: seconds(report.totals.wait_median_ms),
                tokens: formatNumber(report.totals.tokens),
              })}
            </p>
            <div className="table-scroll">
              <table className="participation" data-testid="participation">
                <caption className="sr-only">{t('reports.perPerson')}</caption>
                <thead>
                  <tr>
                    {COLUMNS.map((column) => (
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
                          aria-label={t('reports.sortBy', {
                            column: t(`reports.column.${column}`).toLocaleLowerCase(),
                          })}
                        >
                          {t(`reports.column.${column}`)}
                        </button>
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map((row) => (
                    <tr key={row.user_id} data-testid="participation-row" data-name={row.name}>
                      {COLUMNS.map((column, i) =>
                        i === 0 ? (
                          <th key={column} scope="row">
                            {row.name}
                            {row.removed ? ` ${t('reports.removed')}` : ''}
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
          {t('reports.csv')}
        </button>
      </details>
    </section>
  );
}

/** The transcript, as Markdown or JSON, with private notes only if chosen. */
export function TranscriptDownload({ room, token }: { room: RoomState; token: string }) {
  const { t } = useTranslation();
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
      <h3 id="transcript-heading">{t('reports.transcript')}</h3>
      <label className="inline">
        <input type="checkbox" checked={notes} onChange={(e) => setNotes(e.target.checked)} /> {t('reports.notes')}
      </label>
      <div className="row-actions">
        <button type="button" onClick={() => void get('markdown')}>
          {t('reports.markdown')}
        </button>
        <button type="button" onClick={() => void get('json')}>
          {t('reports.json')}
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
