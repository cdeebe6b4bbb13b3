"""A hand-written TRL + PEFT LoRA script, as a person would write it without ftspec.

bench/train_step_ratio.py runs it beside the compiled train.py with the same
model, data and settings. Usage: python bench/handwritten_trl.py MODEL_DIR TRAIN_CSV OUT MAX_STEPS
"""

from __future__ import annotations

import csv
import random
import sys
import time

import torch
from datasets import Dataset
from peft import LoraConfig
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import SFTConfig, SFTTrainer


def main() -> None:
    model_dir, train_csv, out, max_steps = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(train_csv, encoding="utf-8", newline="") as f:
        rows = [
            {"prompt": [{"role": "system", "content": "Route the message to an intent."},
                        {"role": "user", "content": r["text"]}],
             "completion": [{"role": "assistant", "content": r["category"]}]}
            for r in csv.DictReader(f)
        ]
    random.Random(42).shuffle(rows)
    torch.manual_seed(42)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    config = SFTConfig(
        output_dir=out, learning_rate=2e-4, max_steps=max_steps, per_device_train_batch_size=4,
        gradient_accumulation_steps=4, warmup_steps=0.1, weight_decay=0.01, lr_scheduler_type="cosine",
        max_grad_norm=1.0, bf16=False, use_cpu=True, gradient_checkpointing=False, completion_only_loss=True,
        max_length=256, eval_strategy="no", save_strategy="no", logging_steps=10, report_to=[], seed=42,
        disable_tqdm=True,
    )
    peft_config = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05,
                             target_modules=["q_proj", "k_proj", "v_proj", "o_proj"], task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=model, args=config, train_dataset=Dataset.from_list(rows),
                         processing_class=tokenizer, peft_config=peft_config)
    start = time.perf_counter()
    result = trainer.train()
    print(f"STEP_SECONDS {(time.perf_counter() - start) / result.global_step:.6f} steps {result.global_step}")


if __name__ == "__main__":
    main()
