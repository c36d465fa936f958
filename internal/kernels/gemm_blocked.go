//go:build amd64 && !noasm

package kernels

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// microKernel computes one mr×nr tile of C from packed panels a (kc steps of
// mr floats) and b (kc steps of nr floats): C = alpha·Σ_p a_p⊗b_p + beta·C,
// where the sum runs over p in increasing order in one FMA chain per element
// and beta == 0 means C is not read. ldc is in elements.
type microKernel func(kc int, a, b, c *float32, ldc int, alpha, beta float32)

// directKernel is a micro-kernel that reads A in place: element (r, p) of
// the tile's A is a[r·rs + p·ps]. Its arithmetic is the packed kernel's, so
// both give bit-identical tiles.
type directKernel func(kc int, a *float32, rs, ps int, b, c *float32, ldc int, alpha, beta float32)

// blockedGemm is a BLIS-style GEMM around one micro-kernel: B is packed in
// kc×nc blocks of nr-wide panels (shared by all workers); A is packed in
// mc×kc blocks of mr-high panels (one per worker), or read in place by the
// direct kernel: always when op(A) = A, and when op(A) = Aᵀ meets at most
// two B panels (LoRA's thin products), where packing would cost as much as
// the product; the micro-kernel walks the tiles, B panel by B panel.
//
// Determinism: every C element is computed by exactly one micro-kernel call
// per k block, in k-block order, with the k blocks a function of k alone.
// How tiles are grouped into tasks, and which worker takes which task, do
// not change any element's arithmetic, so results are bit-identical run to
// run and for any number of workers.
type blockedGemm struct {
	mr, nr     int // micro-tile
	mc, kc, nc int // cache blocks (mc, nc multiples of mr, nr)
	micro      microKernel
	direct     directKernel // nil: A is always packed

	jobs   sync.Pool // *gemmJob
	panels sync.Pool // *gemmPanel
	batch  sync.Pool // *gemmBatchJob
}

// gemmPanel is one worker's scratch: a packed A block and an edge tile.
type gemmPanel struct {
	raw    []float32
	a      []float32
	tile   []float32
	packed int // block index packed in a, or -1
}

// gemmJob holds one GEMM call's arguments and the closures that the worker
// pool runs, created once per pooled job so that steady-state calls do not
// allocate.
type gemmJob struct {
	g              *blockedGemm
	transA, transB bool
	m, n, k        int
	alpha, beta    float32
	a, b, c        []float32
	lda, ldb, ldc  int

	// Current block and plan.
	jc, nb, pc, kb     int
	mcEff, mBlocks     int
	nSplit, panelsPerT int

	tasks          int          // tasks of the current block
	next           atomic.Int64 // next task to take
	braw, bpack    []float32
	packB, compute func(lo, hi int)
}

func newBlockedGemm(mr, nr, mc, kc, nc int, micro microKernel, direct directKernel) *blockedGemm {
	g := &blockedGemm{mr: mr, nr: nr, mc: mc, kc: kc, nc: nc, micro: micro, direct: direct}
	g.jobs.New = func() any {
		j := &gemmJob{g: g}
		j.packB = j.packBRange
		j.compute = j.computeRange
		return j
	}
	g.panels.New = func() any {
		return &gemmPanel{tile: make([]float32, mr*nr)}
	}
	g.batch.New = func() any {
		bj := &gemmBatchJob{g: g}
		bj.fn = bj.items
		return bj
	}
	return g
}

// aligned returns a 64-byte aligned slice of n floats with at least 8
// floats of capacity past its end, reusing raw when it is large enough; it
// returns the (possibly new) backing slice too.
func aligned(raw []float32, n int) (backing, s []float32) {
	if cap(raw) < n+24 {
		raw = make([]float32, n+24)
	}
	raw = raw[:cap(raw)]
	off := int(uintptr(unsafe.Pointer(&raw[0]))&63) / 4
	if off != 0 {
		off = 16 - off
	}
	return raw, raw[off : off+n : off+n+8]
}

// gemm is the dispatch target for Gemm: parallel over the worker pool.
func (g *blockedGemm) gemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	g.run(Workers(), transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// run computes one GEMM on up to workers goroutines (1: the calling one).
func (g *blockedGemm) run(workers int, transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleC(m, n, alpha, beta, c, ldc)
		return
	}
	j := g.jobs.Get().(*gemmJob)
	j.transA, j.transB = transA, transB
	j.m, j.n, j.k = m, n, k
	j.alpha, j.beta = alpha, beta
	j.a, j.b, j.c = a, b, c
	j.lda, j.ldb, j.ldc = lda, ldb, ldc
	j.execute(workers)
	j.a, j.b, j.c = nil, nil, nil
	g.jobs.Put(j)
}

// scaleC sets C = alpha·0 + beta·C, the k == 0 product.
func scaleC(m, n int, alpha, beta float32, c []float32, ldc int) {
	zero := alpha * 0
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			for j := range row {
				row[j] = zero
			}
		} else {
			for j := range row {
				row[j] = zero + beta*row[j]
			}
		}
	}
}

// plan groups the mr-high row tiles into blocks of mcEff rows so that the
// blocks spread evenly over the workers, and splits the columns when there
// are fewer row blocks than workers.
func (j *gemmJob) plan(workers int) {
	g := j.g
	mt := ceilDiv(j.m, g.mr)
	mb := ceilDiv(j.m, g.mc)
	if workers > 1 {
		mb = ceilDiv(mb, workers) * workers
		if mb > mt {
			mb = mt
		}
	}
	j.mcEff = ceilDiv(mt, mb) * g.mr
	j.mBlocks = ceilDiv(j.m, j.mcEff)
	j.nSplit = 1
	if workers > 1 && j.mBlocks < workers {
		j.nSplit = ceilDiv(workers, j.mBlocks)
	}
}

func (j *gemmJob) execute(workers int) {
	g := j.g
	j.plan(workers)
	// k is cut into equal blocks of at most kc (rounded up to a multiple
	// of 8), so that no block is much shorter than the others.
	kc := ceilDiv(j.k, ceilDiv(j.k, g.kc))
	kc = ceilDiv(kc, 8) * 8
	for jc := 0; jc < j.n; jc += g.nc {
		nb := min(g.nc, j.n-jc)
		np := ceilDiv(nb, g.nr)
		for pc := 0; pc < j.k; pc += kc {
			kb := min(kc, j.k-pc)
			j.jc, j.nb, j.pc, j.kb = jc, nb, pc, kb
			j.braw, j.bpack = aligned(j.braw, np*g.nr*kb)
			nSplit := min(j.nSplit, np)
			j.panelsPerT = ceilDiv(np, nSplit)
			tasks := j.mBlocks * ceilDiv(np, j.panelsPerT)
			j.tasks = tasks
			j.next.Store(0)
			if workers > 1 {
				ParallelFor(np, 1+2048/kb, j.packB)
				ParallelFor(min(workers, tasks), 1, j.compute)
			} else {
				j.packB(0, np)
				j.compute(0, tasks)
			}
		}
	}
}

// packBRange packs B panels [q0, q1) of the current block: panel q holds
// columns jc+q*nr … +nr of op(B), rows pc … pc+kb, as kb rows of nr floats,
// zero-padded past n.
func (j *gemmJob) packBRange(q0, q1 int) {
	nr, kb := j.g.nr, j.kb
	col0 := j.jc + q0*nr
	if !j.transB {
		cols := min(q1*nr, j.nb) - q0*nr
		panelize(j.bpack[q0*nr*kb:], nr, kb, j.b[j.pc*j.ldb+col0:], j.ldb, cols)
		return
	}
	for q := q0; q < q1; q++ {
		d := j.bpack[q*nr*kb : (q+1)*nr*kb]
		col := j.jc + q*nr
		cols := min(nr, j.jc+j.nb-col)
		if cols < nr {
			clear(d)
		}
		gatherRows(d, nr, cols, kb, j.b[col*j.ldb+j.pc:], j.ldb)
	}
}

// panelize cuts kb rows of cols contiguous elements (row stride ld) into
// w-wide panels of kb steps, d[q*w*kb + p*w + c] = src[p*ld + q*w + c],
// zero-padding the last panel. It walks the source row by row, so that
// each source row is read once, in order.
func panelize(d []float32, w, kb int, src []float32, ld, cols int) {
	full := cols / w
	rest := cols - full*w
	if full > 0 && kb > 0 {
		_ = src[(kb-1)*ld+full*w-1]
		_ = d[(full-1)*w*kb+kb*w-1]
		panelCopyAVX2(&d[0], &src[0], w, kb, full, ld)
	}
	if rest > 0 {
		for p := 0; p < kb; p++ {
			o := full*w*kb + p*w
			dd := d[o : o+w]
			copy(dd, src[p*ld+full*w:p*ld+cols])
			clear(dd[rest:])
		}
	}
}

// gatherRows transposes rows×kb elements of src (row stride ld) into d:
// d[p*stride+r] = src[r*ld+p], for rows ≤ stride. Groups of 8 rows and 8
// columns go through an AVX2 8×8 transpose that stores 8 floats per
// column: rows past the group's end get zeros, which is right for padding
// rows inside the column, and when the group runs past the column (rows 6
// and 7 of a 6-row panel) it lands on the next column's first rows, which
// are written afterwards: groups run from the last to the first, and the
// columns past the last full block are copied one by one after them. So d
// needs 8 floats of capacity past its last element (aligned provides it).
func gatherRows(d []float32, stride, rows, kb int, src []float32, ld int) {
	blocks := kb / 8
	for r0 := (rows - 1) / 8 * 8; r0 >= 0; r0 -= 8 {
		rr := min(8, rows-r0)
		if blocks > 0 {
			_ = src[(r0+rr-1)*ld+8*blocks-1]
			_ = d[:cap(d)][(8*blocks-1)*stride+r0+7]
			packT8AVX2(&d[r0], stride, &src[r0*ld], ld, rr, blocks)
		}
		for r := r0; r < r0+rr; r++ {
			s := src[r*ld+8*blocks : r*ld+kb]
			for i, v := range s {
				d[(8*blocks+i)*stride+r] = v
			}
		}
	}
}

// packA packs rows [i0, i0+rows) of op(A), columns pc … pc+kb, into
// mr-high panels of kb steps, zero-padded past the last row.
func (j *gemmJob) packA(dst []float32, i0, rows int) {
	mr, kb := j.g.mr, j.kb
	if j.transA {
		panelize(dst, mr, kb, j.a[j.pc*j.lda+i0:], j.lda, rows)
		return
	}
	for q := 0; q*mr < rows; q++ {
		d := dst[q*mr*kb : (q+1)*mr*kb]
		r0 := i0 + q*mr
		rr := min(mr, i0+rows-r0)
		if rr < mr {
			clear(d)
		}
		gatherRows(d, mr, rr, kb, j.a[r0*j.lda+j.pc:], j.lda)
	}
}

// computeRange is one worker's share of the current block: it takes tasks
// from a shared counter until none are left, so that a worker slowed down
// by other work on its core does not hold the others up. Task t covers row
// block t/nt and the t%nt-th group of B panels, where nt is the number of
// column groups. Which worker runs a task does not change its arithmetic.
func (j *gemmJob) computeRange(_, _ int) {
	g := j.g
	mr, nr, kb := g.mr, g.nr, j.kb
	np := ceilDiv(j.nb, nr)
	nt := ceilDiv(np, j.panelsPerT)
	pn := g.panels.Get().(*gemmPanel)
	pn.packed = -1
	beta := j.beta
	if j.pc > 0 {
		beta = 1
	}
	// The direct kernel reads A in place, one full mr-row tile at a time;
	// only a last partial tile is packed.
	direct := g.useDirect(j.transA, j.m, np)
	for {
		t := int(j.next.Add(1)) - 1
		if t >= j.tasks {
			break
		}
		ib, jg := t/nt, t%nt
		i0 := ib * j.mcEff
		rows := min(j.mcEff, j.m-i0)
		full := rows / mr * mr // rows in full tiles
		if pn.packed != ib {
			switch {
			case !direct:
				pn.raw, pn.a = aligned(pn.raw, ceilDiv(rows, mr)*mr*kb)
				j.packA(pn.a, i0, rows)
			case full < rows:
				pn.raw, pn.a = aligned(pn.raw, mr*kb)
				j.packA(pn.a, i0+full, rows-full)
			}
			pn.packed = ib
		}
		q1 := min(np, (jg+1)*j.panelsPerT)
		for q := jg * j.panelsPerT; q < q1; q++ {
			bp := &j.bpack[q*nr*kb]
			col := j.jc + q*nr
			cols := min(nr, j.n-col)
			for r0 := 0; r0 < rows; r0 += mr {
				i := i0 + r0
				if direct && r0 < full {
					ad, rs, ps := j.inPlace(i)
					if cols == nr {
						g.direct(kb, ad, rs, ps, bp, &j.c[i*j.ldc+col], j.ldc, j.alpha, beta)
						continue
					}
					j.edge(pn.tile, nil, bp, i, col, mr, cols, beta)
					continue
				}
				var ap *float32
				if direct {
					ap = &pn.a[0] // the packed last partial tile
				} else {
					ap = &pn.a[r0*kb]
				}
				rr := min(mr, j.m-i)
				if rr == mr && cols == nr {
					g.micro(kb, ap, bp, &j.c[i*j.ldc+col], j.ldc, j.alpha, beta)
					continue
				}
				j.edge(pn.tile, ap, bp, i, col, rr, cols, beta)
			}
		}
	}
	g.panels.Put(pn)
}

// useDirect reports whether A is read in place for a block of np B panels.
// Packing costs about one pass over the A block; reading in place costs a
// strided pass per B panel. Measured on a Zen 3 (AVX2) at CLIP's shapes,
// in place is 3–40% faster up to 8 panels (attention's per-head products,
// LoRA's thin ones) and ties for short A (m ≤ 128), while packing is 2–7%
// faster for the large projections (m·k ≥ 800·768 with 48+ panels). For
// op(A) = Aᵀ, whose in-place reads are a gather, only the thinnest
// products (≤ 2 panels) go in place. Both give bit-identical tiles.
func (g *blockedGemm) useDirect(transA bool, m, np int) bool {
	if g.direct == nil {
		return false
	}
	if transA {
		return np <= 2
	}
	return np <= 8 || m <= 128
}

// inPlace returns where the direct kernel finds the tile of op(A) rows
// i … i+mr-1 of the current k block, and its row and step strides.
func (j *gemmJob) inPlace(i int) (a *float32, rs, ps int) {
	if j.transA {
		return &j.a[j.pc*j.lda+i], 1, j.lda
	}
	return &j.a[i*j.lda+j.pc], j.lda, 1
}

// edge runs the micro-kernel on a partial tile through the scratch tile, so
// that the arithmetic is the same as for a full tile. A is the packed panel
// ap or, when ap is nil, the full tile of rows from i read in place.
func (j *gemmJob) edge(tile []float32, ap, bp *float32, i, col, rows, cols int, beta float32) {
	nr := j.g.nr
	if beta != 0 {
		for r := 0; r < rows; r++ {
			copy(tile[r*nr:r*nr+cols], j.c[(i+r)*j.ldc+col:])
		}
	}
	if ap != nil {
		j.g.micro(j.kb, ap, bp, &tile[0], nr, j.alpha, beta)
	} else {
		ad, rs, ps := j.inPlace(i)
		j.g.direct(j.kb, ad, rs, ps, bp, &tile[0], nr, j.alpha, beta)
	}
	for r := 0; r < rows; r++ {
		copy(j.c[(i+r)*j.ldc+col:(i+r)*j.ldc+col+cols], tile[r*nr:])
	}
}
