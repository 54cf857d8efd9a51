/**
 * Triggers: the flow of each trigger (credentials-exchange, then m2m:token_generation) — its bound actions in run
 * order — reordered by drag and drop or with the Move up / Move down buttons, actions added and removed, and saved
 * as one PATCH of the bindings. Only deployed actions can be bound.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { listAll } from '../api';
import { useConsole } from '../context';
import { useLoad, useTask } from '../hooks';
import { href } from '../router';
import { TRIGGERS, type Action, type Binding, type TriggerId } from '../types';
import { WriteButton } from '../ui/controls';
import { Empty, LoadedView, NeedsScope, TaskStatus } from '../ui/feedback';
import { Page, Section } from '../ui/page';

interface Step {
  actionId: string;
  name: string;
}

const DRAG_TYPE = 'application/x-minter-action';

function Flow({
  trigger,
  bound,
  actions,
  reload,
}: {
  trigger: (typeof TRIGGERS)[number];
  bound: Binding[];
  actions: Action[];
  reload: () => void;
}) {
  const { api, can } = useConsole();
  const task = useTask();
  const saved = bound.map((b) => ({ actionId: b.action.id, name: b.action.name }));
  const savedKey = saved.map((s) => s.actionId).join();
  const [steps, setSteps] = useState<Step[]>(saved);
  // Saved (or changed elsewhere and reloaded): the flow shows what is bound.
  useEffect(() => setSteps(saved), [savedKey]);
  const [dropping, setDropping] = useState(false);
  const editable = can('update:actions');
  const changed = steps.map((s) => s.actionId).join() !== savedKey;
  const mine = actions.filter((a) => a.supported_triggers[0]?.id === trigger.id);
  const unbound = mine.filter((a) => !steps.some((s) => s.actionId === a.id));

  const list = useRef<HTMLOListElement>(null);
  /** The button to focus once the list is drawn again: a moved step's DOM node may lose focus as it moves. */
  const [focus, setFocus] = useState<string>();
  useEffect(() => {
    if (!focus) return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];
    const target = buttons.find((b) => b.dataset.focus === focus);
    // At the top (or bottom) the button that moved it is disabled: its twin in the other direction takes focus.
    const twin = buttons.find(
      (b) => b.dataset.focus === focus.replace(/ (up|down)$/, (m) => (m === ' up' ? ' down' : ' up')),
    );
    (target && !target.disabled ? target : twin)?.focus();
    setFocus(undefined);
  }, [focus]);
  const moveWithButton = (from: number, to: number, label: string) => {
    move(from, to);
    setFocus(label);
  };
  const move = (from: number, to: number) => {
    if (to < 0 || to >= steps.length || from === to) return;
    const next = [...steps];
    const [step] = next.splice(from, 1);
    next.splice(to, 0, step!);
    setSteps(next);
  };
  const insert = (action: Action, at = steps.length) => {
    const next = steps.filter((s) => s.actionId !== action.id);
    next.splice(Math.min(at, next.length), 0, { actionId: action.id, name: action.name });
    setSteps(next);
  };
  /** Where a drop at `y` (client coordinates) lands: before the first step whose middle is below it. */
  const dropIndex = (list: HTMLElement, y: number) => {
    const items = [...list.querySelectorAll<HTMLElement>(':scope > li')];
    const index = items.findIndex((item) => {
      const box = item.getBoundingClientRect();
      return y < box.top + box.height / 2;
    });
    return index === -1 ? items.length : index;
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDropping(false);
    const id = event.dataTransfer?.getData(DRAG_TYPE);
    const action = mine.find((a) => a.id === id);
    if (!action || !editable || !action.deployed_version) return;
    const at = dropIndex(event.currentTarget as HTMLElement, event.clientY);
    const from = steps.findIndex((s) => s.actionId === id);
    if (from === -1) insert(action, at);
    else move(from, at > from ? at - 1 : at);
  };
  const dragStart = (id: string) => (event: DragEvent) => {
    event.dataTransfer?.setData(DRAG_TYPE, id);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = 'move';
  };
  const save = () =>
    void task.run(async () => {
      await api.send('PATCH', `/actions/triggers/${encodeURIComponent(trigger.id)}/bindings`, {
        bindings: steps.map((s) => ({ ref: { type: 'action_id', value: s.actionId } })),
      });
      reload();
      return `Flow of ${trigger.id} saved: ${steps.length ? steps.map((s) => s.name).join(' → ') : 'no action runs'}.`;
    });

  return (
    <Section title={`${trigger.id} (${trigger.kind}s)`}>
      <p>
        Runs after the client is authenticated and its grant checked, before the token is signed
        {trigger.id === 'm2m:token_generation' ? ', after the credentials-exchange flow.' : '.'} A denial stops the
        flow.
      </p>
      <h3>Flow, in run order</h3>
      <ol
        ref={list}
        class={`flow${dropping ? ' drop-target' : ''}`}
        aria-label={`${trigger.id} flow`}
        onDragOver={(e) => {
          if (!editable) return;
          e.preventDefault();
          setDropping(true);
        }}
        onDragLeave={() => setDropping(false)}
        onDrop={onDrop}
      >
        {steps.length === 0 && (
          <li class="muted">Nothing runs. Drag a deployed action here, or use “Add to the flow” below.</li>
        )}
        {steps.map((step, i) => (
          <li key={step.actionId} draggable={editable} onDragStart={dragStart(step.actionId)}>
            <span class="name">
              {i + 1}. <a href={href('actions', step.actionId)}>{step.name}</a>
            </span>
            <button
              type="button"
              disabled={!editable || i === 0}
              data-focus={`${step.actionId} up`}
              onClick={() => moveWithButton(i, i - 1, `${step.actionId} up`)}
            >
              Move up<span class="visually-hidden"> {step.name}</span>
            </button>
            <button
              type="button"
              disabled={!editable || i === steps.length - 1}
              data-focus={`${step.actionId} down`}
              onClick={() => moveWithButton(i, i + 1, `${step.actionId} down`)}
            >
              Move down<span class="visually-hidden"> {step.name}</span>
            </button>
            <button
              type="button"
              disabled={!editable}
              onClick={() => setSteps(steps.filter((s) => s.actionId !== step.actionId))}
            >
              Remove<span class="visually-hidden"> {step.name}</span> from the flow
            </button>
          </li>
        ))}
      </ol>
      <div class="row">
        <WriteButton scope="update:actions" busy={task.busy} disabled={!changed} class="primary" onClick={save}>
          Save flow of {trigger.id}
        </WriteButton>
        {changed && (
          <button type="button" onClick={() => setSteps(saved)}>
            Undo changes
          </button>
        )}
        {changed && <span class="muted">Not saved yet.</span>}
      </div>
      <TaskStatus task={task} />
      <h3>Not in the flow</h3>
      {mine.length === 0 ? (
        <Empty title={`No ${trigger.kind} yet.`}>
          Write one under <a href="#/actions">Actions</a>, deploy it, then add it here.
        </Empty>
      ) : unbound.length === 0 ? (
        <p class="muted">Every {trigger.kind} is in the flow.</p>
      ) : (
        <ul class="flow" aria-label={`Actions not in the ${trigger.id} flow`}>
          {unbound.map((action) => (
            <li
              key={action.id}
              draggable={editable && Boolean(action.deployed_version)}
              onDragStart={dragStart(action.id)}
            >
              <span class="name">
                <a href={href('actions', action.id)}>{action.name}</a>
              </span>
              {action.deployed_version ? (
                <button type="button" disabled={!editable} onClick={() => insert(action)}>
                  Add<span class="visually-hidden"> {action.name}</span> to the flow
                </button>
              ) : (
                <span class="muted">Not deployed: deploy it first.</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}

export function TriggersPage(_props: { params: string[] }) {
  const { api, can } = useConsole();
  const loaded = useLoad(async () => {
    const [actions, ...bindings] = await Promise.all([
      listAll<Action>(api, '/actions/actions', 'actions'),
      ...TRIGGERS.map((t) =>
        api.get<{ bindings: Binding[] }>(`/actions/triggers/${encodeURIComponent(t.id)}/bindings`),
      ),
    ]);
    return {
      actions,
      bindings: Object.fromEntries(TRIGGERS.map((t, i) => [t.id, bindings[i]!.bindings])) as Record<
        TriggerId,
        Binding[]
      >,
    };
  }, []);
  return (
    <Page title="Triggers" intro="Which actions run on every token request, and in what order.">
      {!can('read:actions') ? (
        <NeedsScope scope="read:actions" />
      ) : (
        <LoadedView loaded={loaded}>
          {({ actions, bindings }) =>
            TRIGGERS.map((t) => (
              <Flow key={t.id} trigger={t} bound={bindings[t.id]} actions={actions} reload={loaded.reload} />
            ))
          }
        </LoadedView>
      )}
    </Page>
  );
}
