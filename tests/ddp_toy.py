"""Run under torchrun: train the toy autoencoder with DistributedDataParallel (gloo) into CKPT_DIR; every
rank prints the digest of its final weights."""
import sys

import torch

from vehicle_fp import core, training
from toys import BlobImages, TinyAutoencoder, toy_loss

if __name__ == "__main__":
    torch.manual_seed(0)
    model = TinyAutoencoder()
    training.fit(model, BlobImages(64), toy_loss, name="toy", profile="smoke", epochs=3, batch_size=8, lr=1e-2,
                 device="cpu", config=dict(width=8), ckpt_dir=sys.argv[1], progress=False)
    print(f"rank {core.rank()}: weights digest {training.weights_digest(model)}", flush=True)
    training.close_distributed()
