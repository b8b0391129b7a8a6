import { useEffect, useRef, useState, type FormEvent } from 'react';
import { auth, type Identity } from './identity.js';
import { FormFooter } from '../../lib/forms.js';
import { navigate } from '../../lib/router.js';
import { describeError, Link } from '../../lib/ui.js';
import { Trans, useTranslation } from 'react-i18next';
import { joinErrorWords } from './sign-in-page.js';

/** /join/<code>: a join link. Signed-in people join as themselves; others give a name. */
export function JoinPage({ code: linkCode, account }: { code: string; account: Identity | null }) {
  const { t } = useTranslation();
  const [code, setCode] = useState(linkCode);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const tried = useRef(false);

  const join = async (displayName: string) => {
    setBusy(true);
    setError(null);
    try {
      const { sessionId } = await auth.joinWithCode(code, displayName);
      navigate(`/s/${sessionId}`, { replace: true });
    } catch (failure) {
      setError(describeError(failure, joinErrorWords()));
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    if (account && linkCode && !tried.current) {
      tried.current = true;
      void join(account.user.display_name);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [account, linkCode]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void join(account?.user.display_name ?? name);
  };

  return (
    <main className="page narrow">
      <h1>{t('app.title.join')}</h1>
      <form className="card form" onSubmit={submit}>
        <label>
          {t('join.code')}
          <input required autoComplete="off" value={code} onChange={(e) => setCode(e.target.value)} />
        </label>
        {account ? (
          <p>
            <Trans
              i18nKey="join.asAccount"
              values={{ name: account.user.display_name }}
              components={{ name: <strong /> }}
            />
          </p>
        ) : (
          <>
            <label>
              {t('join.name')}
              <input
                required
                maxLength={60}
                autoComplete="name"
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </label>
            <p className="hint">
              <Trans
                i18nKey="join.haveAccount"
                components={{ link: <Link href={`/login?next=${encodeURIComponent(`/join/${code}`)}`} /> }}
              />
            </p>
          </>
        )}
        <FormFooter error={error} busy={busy} label={busy ? t('join.joining') : t('join.submit')} />
      </form>
    </main>
  );
}
