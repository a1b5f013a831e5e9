/**
 * The React page: the `@lit/react` wrapper with typed event props, its outcome and events in React
 * state. (Not named `react.tsx`: Vite would take that file for the `react` package when it
 * pre-bundles dependencies.)
 */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { KosmosIdvLauncher } from '../src/react/index.js';
import { describeEvent, NO_OUTCOME, outcomeOf } from './shared.js';

function App() {
  const [outcome, setOutcome] = useState(NO_OUTCOME);
  const [log, setLog] = useState<string[]>([]);
  const record = (event: Event) => setLog((lines) => [describeEvent(event), ...lines]);

  return (
    <>
      <section id="stage" className="theme-light" aria-label="The launcher">
        <KosmosIdvLauncher
          id="launcher"
          endpoint="/api/idv"
          mode="popup"
          onKosmosIdvSession={(event) => {
            setOutcome(NO_OUTCOME);
            record(event);
          }}
          onKosmosIdvOpen={record}
          onKosmosIdvStatus={record}
          onKosmosIdvComplete={(event) => {
            setOutcome(outcomeOf(event));
            record(event);
          }}
          onKosmosIdvExpired={(event) => {
            setOutcome(outcomeOf(event));
            record(event);
          }}
          onKosmosIdvDeclined={(event) => {
            setOutcome(outcomeOf(event));
            record(event);
          }}
          onKosmosIdvClose={record}
          onKosmosIdvError={record}
        />
      </section>

      <p className="outcome">
        Outcome: <output id="outcome">{outcome}</output>
      </p>

      <section aria-labelledby="log-title">
        <h2 id="log-title">Events</h2>
        <ol id="log" className="log">
          {log.map((line, index) => (
            <li key={log.length - index}>{line}</li>
          ))}
        </ol>
      </section>
    </>
  );
}

createRoot(document.querySelector('#app')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
