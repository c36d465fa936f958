package loader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/vlmtune/vlmtune/data"
	"github.com/vlmtune/vlmtune/data/sample"
)

// Batch is a stack of samples as plain row-major slices.
type Batch struct {
	// Epoch is the epoch the batch belongs to.
	Epoch int
	// Next is the position to resume from to see the batches after this one.
	Next Position
	// Size is the number of samples, B.
	Size int
	// Indices are the samples' positions in the examples slice; IDs their
	// names (Example.Name); Meta their metadata.
	Indices []int
	IDs     []string
	Meta    []data.Metadata
	// Pixels is [B, C, H, W]; nil when no sample has an image. HasPixels
	// tells which rows hold an image (the others are zeros).
	Pixels    []float32
	HasPixels []bool
	C, H, W   int
	// InputIDs and AttentionMask are [B, T], padded with Config.PadID and 0.
	InputIDs      []int32
	AttentionMask []int32
	T             int
	// Labels is [B, T] padded with IgnoreIndex, or nil when no sample has
	// labels.
	Labels []int32
	// Skipped counts the examples skipped so far in this iteration.
	Skipped int
}

// Iter is a running iteration; call Close when done with it.
type Iter struct {
	cancel context.CancelFunc
	ctx    context.Context
	out    chan item
	wg     sync.WaitGroup
	err    error
}

type item struct {
	b   *Batch
	err error
}

type result struct {
	s   Sample
	err error
}

// future is one position of an epoch's order, in order.
type future struct {
	epoch, k, idx      int
	groupEnd, epochEnd bool
	marker             bool // an empty rest of an epoch: no example
	res                chan result
}

type job struct {
	epoch, k, idx int
	res           chan result
}

// Iterate starts an iteration at from (Position{} for the beginning) that
// runs to the end of the last epoch. Memory is bounded: at most
// 2·Workers+BatchSize samples are in flight, plus Prefetch+2 batches.
func (l *Loader) Iterate(ctx context.Context, from Position) (*Iter, error) {
	if from.Epoch < 0 || from.Index < 0 || from.Epoch > l.cfg.Epochs {
		return nil, fmt.Errorf("loader: position %+v is outside epochs 0..%d", from, l.cfg.Epochs)
	}
	ctx, cancel := context.WithCancel(ctx)
	it := &Iter{cancel: cancel, ctx: ctx, out: make(chan item, l.cfg.Prefetch)}
	window := 2*l.cfg.Workers + l.cfg.BatchSize
	futures := make(chan future, window)
	jobs := make(chan job)
	it.wg.Add(2 + l.cfg.Workers)
	go func() {
		defer it.wg.Done()
		defer close(futures)
		defer close(jobs)
		l.produce(ctx, from, futures, jobs)
	}()
	for w := 0; w < l.cfg.Workers; w++ {
		go func() {
			defer it.wg.Done()
			for j := range jobs {
				j.res <- l.run(ctx, j)
			}
		}()
	}
	go func() {
		defer it.wg.Done()
		defer close(it.out)
		l.assemble(ctx, futures, it.out)
	}()
	return it, nil
}

// plan returns the epoch's order and, for a BatchSampler, the positions
// where its batches end.
func (l *Loader) plan(epoch int) ([]int, map[int]bool) {
	if bs, ok := l.cfg.Sampler.(sample.BatchSampler); ok {
		var order []int
		ends := map[int]bool{}
		for _, b := range bs.Batches(epoch) {
			order = append(order, b...)
			if len(b) > 0 {
				ends[len(order)-1] = true
			}
		}
		return order, ends
	}
	return l.cfg.Sampler.Order(epoch), nil
}

func (l *Loader) produce(ctx context.Context, from Position, futures chan<- future, jobs chan<- job) {
	for e := from.Epoch; e < l.cfg.Epochs; e++ {
		order, ends := l.plan(e)
		start := 0
		if e == from.Epoch {
			start = from.Index
		}
		if start >= len(order) {
			select {
			case futures <- future{epoch: e, k: len(order) - 1, epochEnd: true, marker: true}:
			case <-ctx.Done():
				return
			}
			continue
		}
		for k := start; k < len(order); k++ {
			f := future{epoch: e, k: k, idx: order[k], groupEnd: ends[k], epochEnd: k == len(order)-1, res: make(chan result, 1)}
			select {
			case futures <- f:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{epoch: e, k: k, idx: order[k], res: f.res}:
			case <-ctx.Done():
				return
			}
		}
	}
}

// run checks and transforms one example, turning panics into errors.
func (l *Loader) run(ctx context.Context, j job) (r result) {
	if j.idx < 0 || j.idx >= len(l.examples) {
		return result{err: fmt.Errorf("sampler gave index %d, outside the %d examples", j.idx, len(l.examples))}
	}
	ex := l.examples[j.idx]
	defer func() {
		if p := recover(); p != nil {
			r = result{err: &data.RecordError{Origin: ex.Origin, Kind: data.KindTransformError, Msg: fmt.Sprintf("transform panicked: %v", p)}}
		}
	}()
	if l.cfg.Check != nil {
		if err := l.cfg.Check(ex); err != nil {
			return result{err: err}
		}
	}
	s, err := l.transform(ctx, ex, exampleRand(l.cfg.Seed, j.epoch, j.k))
	if err != nil {
		return result{err: err}
	}
	switch {
	case s.Pixels != nil && (s.C <= 0 || s.H <= 0 || s.W <= 0 || len(s.Pixels) != s.C*s.H*s.W):
		err = fmt.Errorf("transform returned %d pixels for shape [%d, %d, %d]", len(s.Pixels), s.C, s.H, s.W)
	case s.Labels != nil && len(s.Labels) != len(s.InputIDs):
		err = fmt.Errorf("transform returned %d labels for %d input ids", len(s.Labels), len(s.InputIDs))
	case l.cfg.PadTo > 0 && len(s.InputIDs) > l.cfg.PadTo:
		err = fmt.Errorf("sample has %d tokens, more than the padded length %d", len(s.InputIDs), l.cfg.PadTo)
	}
	if err != nil {
		return result{err: &data.RecordError{Origin: ex.Origin, Kind: data.KindTransformError, Msg: err.Error()}}
	}
	return result{s: s}
}

func (l *Loader) assemble(ctx context.Context, futures <-chan future, out chan<- item) {
	var cur []Sample
	var idx []int
	skipped, epochSkipped, epochBatches := 0, 0, 0
	send := func(it item) bool {
		select {
		case out <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for f := range futures {
		if !f.marker {
			var r result
			select {
			case r = <-f.res:
			case <-ctx.Done():
				return
			}
			if r.err != nil {
				if ctx.Err() != nil {
					return
				}
				ex := l.examples[f.idx]
				if l.cfg.Policy == Fail {
					send(item{err: fmt.Errorf("epoch %d, position %d (%s): %w", f.epoch, f.k, ex.Name(), r.err)})
					return
				}
				skipped++
				epochSkipped++
				if l.cfg.OnSkip != nil {
					l.cfg.OnSkip(ex, r.err)
				}
				if l.cfg.Logger != nil {
					l.cfg.Logger.Warn("skipped example", "epoch", f.epoch, "position", f.k, "example", ex.Name(), "err", r.err)
				}
			} else {
				cur = append(cur, r.s)
				idx = append(idx, f.idx)
			}
		}
		full := len(cur) == l.cfg.BatchSize
		if full || f.groupEnd || f.epochEnd {
			short := len(cur) < l.cfg.BatchSize
			if len(cur) > 0 && !(f.epochEnd && short && l.cfg.DropLast && !f.groupEnd) {
				next := Position{Epoch: f.epoch, Index: f.k + 1}
				if f.epochEnd {
					next = Position{Epoch: f.epoch + 1}
				}
				b, err := l.build(cur, idx)
				if err != nil {
					send(item{err: err})
					return
				}
				b.Epoch, b.Next, b.Skipped = f.epoch, next, skipped
				if !send(item{b: b}) {
					return
				}
				epochBatches++
			}
			cur, idx = nil, nil
		}
		if f.epochEnd {
			if l.cfg.Logger != nil {
				l.cfg.Logger.Info("epoch done", "epoch", f.epoch, "batches", epochBatches, "skipped", epochSkipped)
			}
			epochSkipped, epochBatches = 0, 0
		}
	}
}

// build stacks samples into a batch.
func (l *Loader) build(ss []Sample, idx []int) (*Batch, error) {
	b := &Batch{Size: len(ss), Indices: idx}
	for _, i := range idx {
		ex := l.examples[i]
		b.IDs = append(b.IDs, ex.Name())
		b.Meta = append(b.Meta, ex.Meta)
	}
	for _, s := range ss {
		if s.Pixels != nil {
			b.C, b.H, b.W = s.C, s.H, s.W
			break
		}
	}
	if b.C > 0 {
		n := b.C * b.H * b.W
		b.Pixels = make([]float32, len(ss)*n)
		b.HasPixels = make([]bool, len(ss))
		for i, s := range ss {
			if s.Pixels == nil {
				continue
			}
			if s.C != b.C || s.H != b.H || s.W != b.W {
				return nil, fmt.Errorf("loader: samples %s and %s have image shapes [%d %d %d] and [%d %d %d]; the transform must give one shape",
					b.IDs[0], b.IDs[i], b.C, b.H, b.W, s.C, s.H, s.W)
			}
			copy(b.Pixels[i*n:], s.Pixels)
			b.HasPixels[i] = true
		}
	}
	hasLabels := false
	for _, s := range ss {
		b.T = max(b.T, len(s.InputIDs))
		hasLabels = hasLabels || s.Labels != nil
	}
	if l.cfg.PadTo > 0 {
		b.T = l.cfg.PadTo
	}
	if b.T > 0 {
		b.InputIDs = make([]int32, len(ss)*b.T)
		b.AttentionMask = make([]int32, len(ss)*b.T)
		if hasLabels {
			b.Labels = make([]int32, len(ss)*b.T)
		}
		for i, s := range ss {
			row := b.InputIDs[i*b.T : (i+1)*b.T]
			mask := b.AttentionMask[i*b.T : (i+1)*b.T]
			n := copy(row, s.InputIDs)
			for j := range row {
				if j >= n {
					row[j] = l.cfg.PadID
				} else {
					mask[j] = 1
				}
			}
			if hasLabels {
				lab := b.Labels[i*b.T : (i+1)*b.T]
				m := copy(lab, s.Labels)
				for j := m; j < len(lab); j++ {
					lab[j] = IgnoreIndex
				}
			}
		}
	}
	return b, nil
}

// Next returns the next batch, or io.EOF after the last one. After an error
// (the Fail policy's first bad example, or a cancelled context) it keeps
// returning that error.
func (it *Iter) Next() (*Batch, error) {
	if it.err != nil {
		return nil, it.err
	}
	select {
	case x, ok := <-it.out:
		if !ok {
			if err := it.ctx.Err(); err != nil {
				it.err = err
				return nil, err
			}
			it.err = io.EOF
			return nil, io.EOF
		}
		if x.err != nil {
			it.err = x.err
			return nil, x.err
		}
		return x.b, nil
	case <-it.ctx.Done():
		it.err = it.ctx.Err()
		return nil, it.err
	}
}

// Close stops the iteration and waits for its goroutines to end.
func (it *Iter) Close() {
	it.cancel()
	it.wg.Wait()
	if it.err == nil {
		it.err = errors.New("loader: iteration closed")
	}
}
