package train

import "github.com/vlmtune/vlmtune/peft/lora"

func loraConfig(l LoRAConfig) lora.Config {
	return lora.Config{R: l.R, Alpha: l.Alpha, Dropout: l.Dropout, RSLoRA: l.RSLoRA, TargetModules: l.TargetModules, TargetRegex: l.TargetRegex}
}
