package schedule

import (
	"math"
	"testing"
)

func TestSchedules(t *testing.T) {
	cases := []struct {
		s    Schedule
		step int
		want float64
	}{
		{Schedule{Kind: Constant, BaseLR: 0.1, WarmupSteps: 4}, 0, 0},
		{Schedule{Kind: Constant, BaseLR: 0.1, WarmupSteps: 4}, 2, 0.05},
		{Schedule{Kind: Constant, BaseLR: 0.1, WarmupSteps: 4}, 100, 0.1},
		{Schedule{Kind: Linear, BaseLR: 1, WarmupSteps: 10, TotalSteps: 110}, 10, 1},
		{Schedule{Kind: Linear, BaseLR: 1, WarmupSteps: 10, TotalSteps: 110}, 60, 0.5},
		{Schedule{Kind: Linear, BaseLR: 1, WarmupSteps: 10, TotalSteps: 110}, 110, 0},
		{Schedule{Kind: Cosine, BaseLR: 2, TotalSteps: 100}, 0, 2},
		{Schedule{Kind: Cosine, BaseLR: 2, TotalSteps: 100}, 50, 1},
		{Schedule{Kind: Cosine, BaseLR: 2, TotalSteps: 100}, 25, 1 + math.Sqrt2/2},
		{Schedule{Kind: Cosine, BaseLR: 2, TotalSteps: 100, MinRatio: 0.1}, 100, 0.2},
		{Schedule{Kind: Cosine, BaseLR: 2, TotalSteps: 100}, 500, 0},
	}
	for _, c := range cases {
		if err := c.s.Validate(); err != nil {
			t.Fatal(err)
		}
		if got := c.s.LR(c.step); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%+v step %d: %v, want %v", c.s, c.step, got, c.want)
		}
	}
}

func TestScheduleErrors(t *testing.T) {
	for _, s := range []Schedule{
		{Kind: "step", BaseLR: 1},
		{Kind: Constant, BaseLR: -1},
		{Kind: Cosine, BaseLR: 1, WarmupSteps: 10, TotalSteps: 0},
		{Kind: Linear, BaseLR: 1, WarmupSteps: -1, TotalSteps: 10},
	} {
		if s.Validate() == nil {
			t.Errorf("%+v: no error", s)
		}
	}
}
