// Command goclient drives the Apache RocketMQ Go client (github.com/apache/rocketmq-client-go/v2) against
// a NameServer, for test/compat/go-client.test.ts. It prints exactly one JSON object on stdout; the
// client's own logging goes to stderr at the level ROCKETMQ_GO_LOG_LEVEL sets (error by default here).
//
//	goclient produce -namesrv H:P -topic T -prefix P -count N [-tags A,B] [-group G]
//	goclient consume -namesrv H:P -topic T -prefix P -group G -expect N [-from 0] [-count N]
//	                 [-tags A,B] [-expression "A || B"] [-timeout 60s] [-grace 2s]
//
// Message i has body "<prefix>-<i>", key "key-<i>", user property idx=<i> and, when -tags is given, tag
// tags[i % len(tags)]. A consumer expects the messages with index in [from, from+count) whose tag its
// expression selects, and reports what it saw against that expectation.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/apache/rocketmq-client-go/v2"
	"github.com/apache/rocketmq-client-go/v2/primitive"
	"github.com/apache/rocketmq-client-go/v2/producer"
	"github.com/apache/rocketmq-client-go/v2/rlog"
)

// maxListed bounds how many ids or messages a report lists (counts are always complete).
const maxListed = 20

type config struct {
	namesrv    string
	topic      string
	prefix     string
	group      string
	tags       []string
	expression string
	count      int
	from       int
	expect     int
	timeout    time.Duration
	grace      time.Duration
}

func main() {
	if len(os.Args) < 2 {
		fail("usage: goclient produce|consume [flags]")
	}
	level := os.Getenv("ROCKETMQ_GO_LOG_LEVEL")
	if level == "" {
		level = "error"
	}
	rlog.SetLogLevel(level)
	mode := os.Args[1]
	cfg := parseFlags(mode, os.Args[2:])
	var report interface{}
	switch mode {
	case "produce":
		report = produce(cfg)
	case "consume":
		report = consume(cfg)
	default:
		fail("unknown mode " + mode)
	}
	out, err := json.Marshal(report)
	if err != nil {
		fail(err.Error())
	}
	fmt.Println(string(out))
}

func parseFlags(mode string, args []string) config {
	fs := flag.NewFlagSet(mode, flag.ExitOnError)
	var cfg config
	var tags string
	fs.StringVar(&cfg.namesrv, "namesrv", "", "NameServer host:port")
	fs.StringVar(&cfg.topic, "topic", "", "topic")
	fs.StringVar(&cfg.prefix, "prefix", "msg", "body prefix")
	fs.StringVar(&cfg.group, "group", "", "producer or consumer group")
	fs.StringVar(&tags, "tags", "", "comma-separated tags, cycled over the messages")
	fs.StringVar(&cfg.expression, "expression", "*", "consumer tag expression")
	fs.IntVar(&cfg.count, "count", 0, "messages produced (or the index range a consumer checks)")
	fs.IntVar(&cfg.from, "from", 0, "first index a consumer expects")
	fs.IntVar(&cfg.expect, "expect", 0, "distinct messages a consumer waits for")
	fs.DurationVar(&cfg.timeout, "timeout", 60*time.Second, "longest a consumer waits")
	fs.DurationVar(&cfg.grace, "grace", 2*time.Second, "how long a consumer keeps listening after the last expected message")
	if err := fs.Parse(args); err != nil {
		fail(err.Error())
	}
	if tags != "" {
		cfg.tags = strings.Split(tags, ",")
	}
	if cfg.namesrv == "" || cfg.topic == "" {
		fail("-namesrv and -topic are required")
	}
	return cfg
}

func fail(msg string) {
	fmt.Fprintln(os.Stderr, "goclient:", msg)
	os.Exit(2)
}

func tagOf(cfg config, i int) string {
	if len(cfg.tags) == 0 {
		return ""
	}
	return cfg.tags[i%len(cfg.tags)]
}

type produceReport struct {
	Sent        int            `json:"sent"`
	SendOK      int            `json:"sendOk"`
	DistinctIDs int            `json:"distinctMsgIds"`
	PerQueue    map[string]int `json:"perQueue"`
	Failures    []string       `json:"failures"`
}

func produce(cfg config) produceReport {
	group := cfg.group
	if group == "" {
		group = "go_compat_producer"
	}
	p, err := rocketmq.NewProducer(
		producer.WithNsResolver(primitive.NewPassthroughResolver([]string{cfg.namesrv})),
		producer.WithGroupName(group),
		producer.WithRetry(2),
		producer.WithSendMsgTimeout(5*time.Second),
	)
	if err != nil {
		fail("new producer: " + err.Error())
	}
	if err := p.Start(); err != nil {
		fail("start producer: " + err.Error())
	}
	defer func() { _ = p.Shutdown() }()
	r := produceReport{PerQueue: map[string]int{}, Failures: []string{}}
	ids := map[string]bool{}
	for i := 0; i < cfg.count; i++ {
		msg := primitive.NewMessage(cfg.topic, []byte(fmt.Sprintf("%s-%d", cfg.prefix, i)))
		if tag := tagOf(cfg, i); tag != "" {
			msg.WithTag(tag)
		}
		msg.WithKeys([]string{fmt.Sprintf("key-%d", i)})
		msg.WithProperty("idx", strconv.Itoa(i))
		r.Sent++
		res, err := p.SendSync(context.Background(), msg)
		if err != nil {
			r.addFailure(fmt.Sprintf("send %d: %v", i, err))
			continue
		}
		if res.Status != primitive.SendOK {
			r.addFailure(fmt.Sprintf("send %d: status %d", i, res.Status))
			continue
		}
		r.SendOK++
		ids[res.MsgID] = true
		r.PerQueue[strconv.Itoa(res.MessageQueue.QueueId)]++
	}
	r.DistinctIDs = len(ids)
	return r
}

func (r *produceReport) addFailure(f string) {
	if len(r.Failures) < maxListed {
		r.Failures = append(r.Failures, f)
	}
}
