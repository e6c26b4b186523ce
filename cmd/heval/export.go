package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/heval-dev/heval"

	"github.com/heval-dev/heval/datasets"
	"github.com/heval-dev/heval/helicone"
	"github.com/heval-dev/heval/reporters/parquet"
)

// exportEvaluator is the evaluator column of exported rows: the scores were stored in
// Helicone by someone (heval, a person, Helicone's own evaluators), not computed by this run.
const exportEvaluator = "helicone"

// exportCmd writes the scores already stored in Helicone to the Parquet schema.
type exportCmd struct{ stdio }

func (c *exportCmd) Run(ctx context.Context, args []string) error {
	fs := newFlagSet(c.stdio, "export")
	var exps, filters, dsets listFlag
	fs.Var(&dsets, "dataset", "current Helicone (hosted today): export the scores of Helicone dataset `ID|NAME`: of its rows' origin requests and of its tagged runs (repeatable)")
	fs.Var(&filters, "filter", "any Helicone: export the scores of logged requests matching `EXPR` (repeatable, ANDed; see 'heval run -h')")
	fs.Var(&exps, "experiment", "legacy Helicone only (self-hosted, before the 2025-10 migration): export the scores of experiment `ID`'s dataset rows and hypothesis runs (repeatable)")
	out := fs.String("out", "heval-export.parquet", "the Parquet `FILE` to write")
	eu := fs.Bool("eu", false, "use Helicone's EU region unless HELICONE_BASE_URL is set")
	insecure := fs.Bool("insecure", false, "allow sending the API key over plain HTTP to a host that is not loopback")
	if err := fs.parse(args); err != nil {
		return err
	}
	if len(exps) == 0 && len(filters) == 0 && len(dsets) == 0 {
		return usagef("export: say what to export: --dataset ID|NAME or --filter EXPR (hosted Helicone), or --experiment ID (self-hosted Helicone before the 2025-10 migration)")
	}
	var filter helicone.Filter
	if len(filters) > 0 {
		f, err := helicone.ParseFilter(filters...)
		if err != nil {
			return usagef("--filter: %v", err)
		}
		filter = f
	}
	client, err := newClientFromEnv(c.err, *eu, *insecure)
	if err != nil {
		return err
	}
	// The file is written under a temporary name and renamed into place when the export
	// succeeded: a failed export leaves an earlier file as it was.
	files := &pendingFiles{}
	defer files.discard()
	f, err := files.create(*out)
	if err != nil {
		return err
	}
	w := parquet.NewWriter(f)
	var what []string
	for _, d := range dsets {
		what = append(what, "Helicone dataset "+d)
	}
	for _, id := range exps {
		what = append(what, "experiment "+id)
	}
	if len(filters) > 0 {
		what = append(what, "requests where "+strings.Join(filters, " and "))
	}
	info := heval.RunInfo{Started: time.Now().UTC(), Source: "export of " + strings.Join(what, ", "), Evaluators: []string{exportEvaluator}, Version: heVersion()}
	if err := w.Start(info); err != nil {
		return err
	}
	n, rows := 0, 0
	emit := func(s heval.Sample, scores map[string]helicone.FlexValue) error {
		n++
		rec, ok := storedRecord(s, scores)
		if !ok {
			return nil
		}
		rows += len(rec.Values)
		return w.Record(rec)
	}
	for _, d := range dsets {
		if err := exportDataset(ctx, client, d, emit); err != nil {
			return exportErr(err)
		}
	}
	for _, id := range exps {
		list, err := client.QueryExperiments(ctx, helicone.ExperimentQuery{Filter: helicone.ExperimentID(helicone.Equals, id), Include: ptr(helicone.IncludeAll())})
		if err != nil {
			return exportErr(err)
		}
		if len(list) == 0 {
			return fmt.Errorf("export: experiment %s not found at %s", id, client.BaseURL())
		}
		for i := range list {
			stored := experimentScores(&list[i])
			for s, err := range datasets.ExperimentSamples(&list[i]) {
				if err != nil {
					return err
				}
				if err := emit(s, stored[s.RequestID]); err != nil {
					return err
				}
			}
		}
	}
	if len(filters) > 0 {
		for r, err := range client.Requests(ctx, helicone.RequestQuery{Filter: filter, Limit: 1000}) {
			if err != nil {
				return err
			}
			if err := emit(datasets.RequestSample(r, ""), r.Scores); err != nil {
				return err
			}
		}
	}
	if err := w.Finish(heval.Summary{Finished: time.Now().UTC(), Samples: n}); err != nil {
		return err
	}
	if err := files.commit(); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "exported %d scores of %d samples to %s\n", rows, n, *out)
	return nil
}

func ptr[T any](v T) *T { return &v }

// exportErr makes a source the server does not serve a usage error.
func exportErr(err error) error {
	if wrongSource(err) {
		return usagef("export: %v", err)
	}
	return err
}

// exportDataset emits the samples of a Helicone dataset and its tagged runs with the scores
// their requests hold, read by request id a batch at a time (the rows of Helicone Datasets
// carry no scores).
func exportDataset(ctx context.Context, client *helicone.Client, idOrName string, emit func(heval.Sample, map[string]helicone.FlexValue) error) error {
	var batch []heval.Sample
	flush := func() error {
		ids := make([]string, len(batch))
		for i, s := range batch {
			ids[i] = s.RequestID
		}
		stored, err := client.RequestsByID(ctx, helicone.RequestIDQuery{IDs: ids})
		if err != nil {
			return fmt.Errorf("export: reading the scores of Helicone dataset %s: %w", idOrName, err)
		}
		for _, s := range batch {
			if err := emit(s, stored[s.RequestID].Scores); err != nil {
				return err
			}
		}
		batch = batch[:0]
		return nil
	}
	for s, err := range datasets.DatasetExperiment(idOrName).Samples(ctx, datasets.Env{Client: client}) {
		if err != nil {
			return err
		}
		if batch = append(batch, s); len(batch) == helicone.MaxIDsPerQuery {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(batch) > 0 {
		return flush()
	}
	return nil
}

// experimentScores maps the request ids of an experiment's rows and runs to their stored scores.
func experimentScores(e *helicone.Experiment) map[string]map[string]helicone.FlexValue {
	out := map[string]map[string]helicone.FlexValue{}
	add := func(id string, m helicone.ScoreMap) {
		if id == "" || len(m) == 0 {
			return
		}
		dst := out[id]
		if dst == nil {
			dst = map[string]helicone.FlexValue{}
			out[id] = dst
		}
		for k, v := range m {
			dst[k] = v.Value
		}
	}
	for _, row := range e.Dataset.Rows {
		if row.InputRecord != nil {
			add(row.InputRecord.RequestID, row.Scores)
		}
	}
	for _, h := range e.Hypotheses {
		for _, r := range h.Runs {
			add(r.ResultRequestID, r.Scores)
		}
	}
	return out
}

// storedRecord turns stored scores into one record: "<key>-hcone-bool" comes back as the
// boolean "<key>"; a value that is not a whole number is reported in the error column.
func storedRecord(s heval.Sample, scores map[string]helicone.FlexValue) (heval.Record, bool) {
	if len(scores) == 0 {
		return heval.Record{}, false
	}
	keys := make([]string, 0, len(scores))
	for k := range scores {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	rec := heval.Record{Sample: &s, Evaluator: exportEvaluator, Submitted: true}
	var bad []string
	for _, k := range keys {
		v := scores[k]
		n, ok := v.Int64()
		if !ok {
			bad = append(bad, fmt.Sprintf("%s=%q", k, v.Raw))
			continue
		}
		typ := heval.Number
		if base, isBool := strings.CutSuffix(k, helicone.BoolSuffix); isBool {
			k, typ = base, heval.Boolean
		}
		rec.Values = append(rec.Values, heval.Value{Key: k, Value: n, Type: typ})
	}
	if len(bad) > 0 {
		rec.Err = "stored values that are not whole numbers: " + strings.Join(bad, ", ")
		rec.ErrKind = heval.ErrorKindInvalidValue
	}
	return rec, true
}
