"""A toy model and data for testing the training loop: a tiny convolutional autoencoder on random blob
images. It has BatchNorm (buffers that must stay in step across processes) and dropout (randomness
that must replay on resume), so it exercises what the book's models need. The core chapters import
it from here for their demonstrations; it is not part of the package."""
from pathlib import Path

import torch
from torch import nn
from torch.utils.data import Dataset

from vehicle_fp import training


class BlobImages(Dataset):
    "`n` random 3×`size`×`size` images of soft blobs, deterministic from `seed`."
    def __init__(self, n:int=64, size:int=16, seed:int=0):
        g = torch.Generator().manual_seed(seed)
        yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
        centre, colour = torch.rand(n, 2, generator=g) * 1.4 - 0.7, torch.rand(n, 3, 1, 1, generator=g)
        blob = torch.exp(-((xx - centre[:, :1, None]) ** 2 + (yy - centre[:, 1:, None]) ** 2) / 0.1)
        self.images = (blob[:, None] * colour).clamp(0, 1)
        self.data_id = f"blobs-n{n}-s{size}-seed{seed}"
    def __len__(self): return len(self.images)
    def __getitem__(self, i): return {"image": self.images[i]}


class TinyAutoencoder(nn.Module):
    "Conv → BatchNorm → ReLU → Dropout → Conv: a toy for the training loop."
    def __init__(self, width:int=8, dropout:float=0.2):
        super().__init__()
        self.net = nn.Sequential(nn.Conv2d(3, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU(),
                                 nn.Dropout(dropout), nn.Conv2d(width, 3, 3, padding=1), nn.Sigmoid())
    def forward(self, x): return self.net(x)


def toy_loss(model, batch):
    "Mean squared reconstruction error, plus its L1 as a logged term."
    recon = model(batch["image"])
    return {"loss": nn.functional.mse_loss(recon, batch["image"]),
            "l1": nn.functional.l1_loss(recon.detach(), batch["image"])}


def _interrupting(loss_fn, at_step:int):
    "`loss_fn`, raising `KeyboardInterrupt` on its `at_step`-th call."
    calls = [0]
    def wrapped(model, batch):
        calls[0] += 1
        if calls[0] == at_step: raise KeyboardInterrupt(f"simulated interruption at step {at_step}")
        return loss_fn(model, batch)
    return wrapped


def check_resume(tmp_dir, epochs:int=3, interrupt_at:int=6, **kw) -> float:
    "Train the toy once straight and once interrupted then resumed; return the largest weight difference."
    common = dict(name="toy", profile="smoke", epochs=epochs, batch_size=16, lr=1e-2, progress=False, **kw)
    torch.manual_seed(0); straight = TinyAutoencoder()
    training.fit(straight, BlobImages(64), toy_loss, ckpt_dir=Path(tmp_dir) / "straight", **common)
    torch.manual_seed(0); resumed = TinyAutoencoder()
    try: training.fit(resumed, BlobImages(64), _interrupting(toy_loss, interrupt_at), ckpt_dir=Path(tmp_dir) / "resumed", **common)
    except KeyboardInterrupt: pass
    else: raise AssertionError("the interruption did not happen")
    resumed = TinyAutoencoder()  # a fresh process would start from a fresh model
    training.fit(resumed, BlobImages(64), toy_loss, ckpt_dir=Path(tmp_dir) / "resumed", **common)
    a, b = straight.state_dict(), resumed.state_dict()
    return max(float((a[k].float() - b[k].float()).abs().max()) for k in a)


def _nan_after(loss_fn, calls_ok:int):
    "`loss_fn`, returning NaN from its `calls_ok`+1-th call on."
    calls = [0]
    def wrapped(model, batch):
        calls[0] += 1
        out = loss_fn(model, batch)
        return out if calls[0] <= calls_ok else {**out, "loss": out["loss"] * float("nan")}
    return wrapped


def check_nonfinite(tmp_dir) -> dict:
    "Train the toy into a NaN loss in epoch 3; return the message and the checkpoint left behind."
    torch.manual_seed(0)
    try:
        training.fit(TinyAutoencoder(), BlobImages(64), _nan_after(toy_loss, 8), name="toy", profile="smoke", epochs=4,
                     batch_size=16, lr=1e-2, ckpt_dir=Path(tmp_dir), progress=False)
    except training.NonFiniteLoss as e: message = str(e)
    else: raise AssertionError("a NaN loss did not stop training")
    return dict(message=message, **training.load_checkpoint(Path(tmp_dir) / "toy.pt"))
