import type { ClassificationReport, ClassScores } from "@cxrlab/core/metrics";
import { formatFixed } from "@cxrlab/core/metrics";

const DIGITS = 4;

function ScoreCells({ scores }: { scores: ClassScores }) {
  return (
    <>
      <td className="num">{formatFixed(scores.precision, DIGITS)}</td>
      <td className="num">{formatFixed(scores.recall, DIGITS)}</td>
      <td className="num">{formatFixed(scores.f1, DIGITS)}</td>
      <td className="num">{scores.support}</td>
    </>
  );
}

/** sklearn's classification report, row for row, with sklearn's rounding. */
export function ReportTable({ report }: { report: ClassificationReport }) {
  const total = report.macroAvg.support;
  return (
    <div className="table-scroll">
      <table data-testid="report-table">
        <thead>
          <tr>
            <th />
            <th className="num">precision</th>
            <th className="num">recall</th>
            <th className="num">f1-score</th>
            <th className="num">support</th>
          </tr>
        </thead>
        <tbody>
          {report.classes.map((c) => (
            <tr key={c.name} data-testid="report-row" data-class={c.name}>
              <th scope="row">{c.name}</th>
              <ScoreCells scores={c} />
            </tr>
          ))}
          <tr data-testid="report-accuracy">
            <th scope="row">accuracy</th>
            <td />
            <td />
            <td className="num">{formatFixed(report.accuracy, DIGITS)}</td>
            <td className="num">{total}</td>
          </tr>
          <tr data-testid="report-row" data-class="macro avg">
            <th scope="row">macro avg</th>
            <ScoreCells scores={report.macroAvg} />
          </tr>
          <tr data-testid="report-row" data-class="weighted avg">
            <th scope="row">weighted avg</th>
            <ScoreCells scores={report.weightedAvg} />
          </tr>
        </tbody>
      </table>
    </div>
  );
}
