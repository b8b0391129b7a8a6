import { useState } from 'react';
import type { PanelProps } from './panel-props.js';
import { PersonControls } from './person-controls.js';
import { isMuted } from '../../room/index.js';
import { roleName } from '../../../lib/forms.js';
import { useTranslation } from 'react-i18next';

type PeopleFilter = 'all' | 'online' | 'hand' | 'waiting' | 'muted' | 'guests';
const PEOPLE_FILTERS: PeopleFilter[] = ['all', 'online', 'hand', 'waiting', 'muted', 'guests'];

/**
 * One list of everyone in the session, searchable and filtered; a person's
 * controls open on the person chosen, not beside every name, so a class of
 * thirty fits on a laptop screen.
 */
export function People({ room, actions, act, now }: PanelProps & { now: number }) {
  const { t } = useTranslation();
  const [query, setQuery] = useState('');
  const [filter, setFilter] = useState<PeopleFilter>('all');
  const [selected, setSelected] = useState<string | null>(null);
  const here = new Set(room.participants.map((p) => p.user_id));
  const hands = new Set(room.hands.map((h) => h.user_id));
  // Who has a question waiting: for the tutor, or for approval.
  const asking = new Set([
    ...room.queue.map((q) => q.user_id),
    ...room.messages.filter((m) => m.approval === 'waiting').map((m) => m.author_id),
  ]);
  const everyone = Object.values(room.members).filter((m) => !m.waiting);
  const wanted = query.trim().toLowerCase();
  const members = everyone
    .filter((m) => !wanted || m.display_name.toLowerCase().includes(wanted))
    .filter(
      (m) =>
        filter === 'all' ||
        (filter === 'online' && here.has(m.user_id)) ||
        (filter === 'hand' && hands.has(m.user_id)) ||
        (filter === 'waiting' && asking.has(m.user_id)) ||
        (filter === 'muted' && isMuted(m, now)) ||
        (filter === 'guests' && m.guest),
    )
    .sort(
      (a, b) =>
        Number(here.has(b.user_id)) - Number(here.has(a.user_id)) || a.display_name.localeCompare(b.display_name),
    );
  return (
    <section aria-labelledby="people-console">
      <h3 id="people-console">
        {t('people.title', { count: everyone.length, here: everyone.filter((m) => here.has(m.user_id)).length })}
      </h3>
      <div className="people-tools">
        <label>
          <span className="sr-only">{t('people.search')}</span>
          <input
            type="search"
            placeholder={t('people.search')}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
          />
        </label>
        <label>
          <span className="sr-only">{t('people.show')}</span>
          <select
            value={filter}
            onChange={(e) => setFilter(e.target.value as PeopleFilter)}
            aria-label={t('people.show')}
          >
            {PEOPLE_FILTERS.map((value) => (
              <option key={value} value={value}>
                {t(`people.filter.${value}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {members.length === 0 && <p className="empty">{t('people.nobody')}</p>}
      <ul className="member-list" data-testid="members">
        {members.map((member) => {
          const name = member.display_name;
          const me = member.user_id === room.me.user_id;
          const muted = isMuted(member, now);
          const online = here.has(member.user_id);
          const open = selected === member.user_id;
          return (
            <li
              key={member.user_id}
              className={`member ${open ? 'selected' : ''}`}
              data-testid="member"
              data-name={name}
            >
              <button
                type="button"
                className="member-name"
                aria-expanded={open}
                onClick={() => setSelected(open ? null : member.user_id)}
                aria-label={t(open ? 'people.hideControls' : 'people.showControls', {
                  name: me ? t('sidebar.nameYou', { name }) : name,
                })}
              >
                <span className={`dot ${online ? 'online' : ''}`} aria-hidden="true" />
                <strong>{me ? t('sidebar.nameYou', { name }) : name}</strong>
                <span className={`badge role-${member.role}`}>{roleName(member.role)}</span>
                {member.guest && <span className="badge">{t('people.guest')}</span>}
                {muted && <span className="badge warn">{t('sidebar.muted')}</span>}
                {hands.has(member.user_id) && <span className="badge">{t('people.handUp')}</span>}
                {asking.has(member.user_id) && <span className="badge">{t('people.asking')}</span>}
                {room.typing[member.user_id] && <span className="typing-dot">{t('sidebar.typing')}</span>}
                {room.session.floor_user_id === member.user_id && (
                  <span className="badge ok">{t('people.hasFloor')}</span>
                )}
              </button>
              {open && <PersonControls room={room} actions={actions} act={act} member={member} me={me} muted={muted} />}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
