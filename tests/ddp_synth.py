"""Run under torchrun: every rank asks for the same tiny VehicleFP-Synth cache under DATA_DIR and records one
registry row; each prints how many samples it rendered itself, the cache folder, and the registry's rows."""
import os
import sys
from pathlib import Path

from vehicle_fp import core, registry, synth

if __name__ == "__main__":
    root = Path(sys.argv[1])
    os.environ["VEHICLE_FP_RUNS"] = str(root / "runs")
    rendered = []
    render = synth.render_sample
    synth.render_sample = lambda *a, **k: rendered.append(1) or render(*a, **k)   # counts this process's renders
    params = synth.generator_params("smoke", image_size=32, splits=dict(normal=2, labelled=2, val=1, test=1, test_novel=1,
                                                                    clean=1, calibration=1))
    cache = synth.build_synth(params, root=root / "data", workers=0, progress=False)
    registry.record_result("smoke", "ddp", "t", "m", {"x": 1.0}, split="test", n_images=1, image_hash="h")
    import torch.distributed as dist
    dist.init_process_group("gloo")
    dist.barrier()                                   # rank 0 has written its row
    print(f"rank {core.rank()}: rendered {len(rendered)} samples", flush=True)
    print(f"rank {core.rank()}: cache {cache}", flush=True)
    print(f"rank {core.rank()}: registry rows {len(registry.read_results('smoke', 'ddp'))}", flush=True)
    dist.destroy_process_group()
