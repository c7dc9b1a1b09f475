package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/consumer"
	"github.com/apache/rocketmq-client-go/v2/primitive"
)

type consumeReport struct {
	Expected     int            `json:"expected"`
	Received     int            `json:"received"`
	Deliveries   int            `json:"deliveries"`
	Duplicates   int            `json:"duplicates"`
	Unexpected   int            `json:"unexpected"`
	Mismatched   int            `json:"mismatched"`
	TagCounts    map[string]int `json:"tagCounts"`
	Missing      []int          `json:"missing"`
	Samples      []string       `json:"samples"`
	TimedOut     bool           `json:"timedOut"`
	ElapsedMs    int64          `json:"elapsedMs"`
	StartFailure string         `json:"startFailure,omitempty"`
}

// tally is what the consume callback updates, from the client's goroutines.
type tally struct {
	mu        sync.Mutex
	cfg       config
	selected  map[int]bool
	seen      map[int]int
	report    consumeReport
	completed chan struct{}
	closeOnce sync.Once
}

func selects(expression, tag string) bool {
	if strings.TrimSpace(expression) == "*" {
		return true
	}
	for _, t := range strings.Split(expression, "||") {
		if strings.TrimSpace(t) == tag && tag != "" {
			return true
		}
	}
	return false
}

func newTally(cfg config) *tally {
	t := &tally{cfg: cfg, selected: map[int]bool{}, seen: map[int]int{}, completed: make(chan struct{})}
	for i := cfg.from; i < cfg.from+cfg.count; i++ {
		if selects(cfg.expression, tagOf(cfg, i)) {
			t.selected[i] = true
		}
	}
	t.report = consumeReport{Expected: len(t.selected), TagCounts: map[string]int{}, Missing: []int{}, Samples: []string{}}
	if cfg.expect == 0 {
		t.closeOnce.Do(func() { close(t.completed) })
	}
	return t
}

func (t *tally) sample(s string) {
	if len(t.report.Samples) < maxListed {
		t.report.Samples = append(t.report.Samples, s)
	}
}

func (t *tally) record(m *primitive.MessageExt) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.report.Deliveries++
	body := string(m.Body)
	i, err := strconv.Atoi(strings.TrimPrefix(body, t.cfg.prefix+"-"))
	if !strings.HasPrefix(body, t.cfg.prefix+"-") || err != nil || !t.selected[i] {
		t.report.Unexpected++
		t.sample(fmt.Sprintf("unexpected body %q tag %q queue %d offset %d", body, m.GetTags(), m.Queue.QueueId, m.QueueOffset))
		return
	}
	want := fmt.Sprintf("key-%d", i)
	if m.GetTags() != tagOf(t.cfg, i) || m.GetKeys() != want || m.GetProperty("idx") != strconv.Itoa(i) || m.Topic != t.cfg.topic {
		t.report.Mismatched++
		t.sample(fmt.Sprintf("message %d came as topic %q tag %q keys %q idx %q", i, m.Topic, m.GetTags(), m.GetKeys(), m.GetProperty("idx")))
	}
	t.seen[i]++
	if t.seen[i] > 1 {
		t.report.Duplicates++
		return
	}
	t.report.Received++
	t.report.TagCounts[m.GetTags()]++
	if t.report.Received >= t.cfg.expect {
		t.closeOnce.Do(func() { close(t.completed) })
	}
}

func consume(cfg config) consumeReport {
	started := time.Now()
	t := newTally(cfg)
	c, err := rocketmq.NewPushConsumer(
		consumer.WithNsResolver(primitive.NewPassthroughResolver([]string{cfg.namesrv})),
		consumer.WithGroupName(cfg.group),
		consumer.WithConsumerModel(consumer.Clustering),
		consumer.WithConsumeFromWhere(consumer.ConsumeFromFirstOffset),
	)
	if err != nil {
		fail("new consumer: " + err.Error())
	}
	selector := consumer.MessageSelector{Type: consumer.TAG, Expression: cfg.expression}
	err = c.Subscribe(cfg.topic, selector, func(_ context.Context, msgs ...*primitive.MessageExt) (consumer.ConsumeResult, error) {
		for _, m := range msgs {
			t.record(m)
		}
		return consumer.ConsumeSuccess, nil
	})
	if err != nil {
		fail("subscribe: " + err.Error())
	}
	if err := c.Start(); err != nil {
		t.report.StartFailure = err.Error()
		return t.finish(started)
	}
	select {
	case <-t.completed:
		time.Sleep(cfg.grace)
	case <-time.After(cfg.timeout):
		t.mu.Lock()
		t.report.TimedOut = true
		t.mu.Unlock()
	}
	_ = c.Shutdown()
	return t.finish(started)
}

func (t *tally) finish(started time.Time) consumeReport {
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := t.cfg.from; i < t.cfg.from+t.cfg.count && len(t.report.Missing) < maxListed; i++ {
		if t.selected[i] && t.seen[i] == 0 {
			t.report.Missing = append(t.report.Missing, i)
		}
	}
	t.report.ElapsedMs = time.Since(started).Milliseconds()
	return t.report
}
