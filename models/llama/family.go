package llama

import (
	"github.com/vlmtune/vlmtune/models"
	"github.com/vlmtune/vlmtune/tensor"
)

func init() {
	models.Register(models.Family{ModelType: "llama", Kind: models.KindCausalLM, Architectures: []string{"LlamaForCausalLM"}, Description: "Llama causal language model", New: models.Constructor(ParseConfig, New)})
	models.Register(models.Family{ModelType: "mistral", Kind: models.KindCausalLM, Architectures: []string{"MistralForCausalLM"}, Description: "Mistral causal language model", New: models.Constructor(ParseConfig, New)})
}

// The model is a causal language model that `vlmtune forward` can run.
var (
	_ models.CausalLM  = (*Model)(nil)
	_ models.Forwarder = (*Model)(nil)
	_ models.Tied      = (*Model)(nil)
)

// Family returns the model_type ("llama", "mistral" or "qwen2").
func (m *Model) Family() string { return m.Config.ModelType }

// HFConfig returns the configuration.
func (m *Model) HFConfig() any { return &m.Config }

// ForwardNamed runs the model on input_ids, attention_mask, position_ids
// and labels (see models.ForwardCausal).
func (m *Model) ForwardNamed(s *tensor.Scope, in models.Inputs, wantLoss bool) (map[string]*tensor.Tensor, error) {
	return models.ForwardCausal(m, s, in, wantLoss)
}
