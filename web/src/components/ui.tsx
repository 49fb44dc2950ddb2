import { useId, type ReactNode } from 'react';
import { ApiError } from '../api';
import { taskPercent } from '../logic/events';

// Field wraps one input with its label and error, wiring aria-invalid and
// aria-describedby so screen readers announce the API's message.
export function Field(props: {
  label: string;
  error?: string;
  hint?: string;
  children: (p: { id: string; 'aria-invalid'?: boolean; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const described = [props.hint ? id + '-hint' : '', props.error ? id + '-err' : ''].filter(Boolean).join(' ');
  return (
    <div className={'field' + (props.error ? ' invalid' : '')}>
      <label htmlFor={id}>{props.label}</label>
      {props.children({ id, 'aria-invalid': props.error ? true : undefined, 'aria-describedby': described || undefined })}
      {props.hint && <div className="hint" id={id + '-hint'}>{props.hint}</div>}
      {props.error && (
        <div className="error" id={id + '-err'} role="alert">
          {props.error}
        </div>
      )}
    </div>
  );
}

export function ErrorBanner({ error }: { error: unknown }) {
  if (!error) return null;
  const msg = error instanceof ApiError ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  return (
    <div className="banner error" role="alert">
      {msg}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status.toLowerCase()}`}>{status}</span>;
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  return (
    <div className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={value}>
      <div className="progress-fill" style={{ width: `${value}%` }} />
    </div>
  );
}

export function TaskRow({ task }: { task: { name: string; state: string; message?: string; done?: number; total?: number } }) {
  const pct = taskPercent(task);
  return (
    <li className={`task task-${task.state.toLowerCase()}`}>
      <div className="task-head">
        <span className="task-name">{task.name}</span>
        <span className="task-state">{task.state}</span>
        {task.total ? (
          <span className="task-count">
            {task.done ?? 0}/{task.total}
          </span>
        ) : null}
      </div>
      <ProgressBar value={pct} label={`${task.name} progress`} />
      {task.message && <div className="task-message">{task.message}</div>}
    </li>
  );
}

export function KeyValues({ m }: { m?: Record<string, string> }) {
  const entries = Object.entries(m ?? {});
  if (!entries.length) return <span className="muted">none</span>;
  return (
    <span className="chips">
      {entries.map(([k, v]) => (
        <span className="chip" key={k}>
          {k}={v}
        </span>
      ))}
    </span>
  );
}

export function when(iso?: string): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

/** The API's field errors that no input shows, as alerts above a form's buttons. */
export function FormErrors({ messages }: { messages: string[] }) {
  return (
    <>
      {messages.map((m) => (
        <p className="error" role="alert" key={m}>
          {m}
        </p>
      ))}
    </>
  );
}

/** A form's submit and cancel buttons. */
export function FormActions({ submit, busy, onCancel }: { submit: string; busy: boolean; onCancel: () => void }) {
  return (
    <div className="actions">
      <button type="submit" className="primary" disabled={busy}>
        {submit}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
