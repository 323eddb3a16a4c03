"""torchvision.datasets.VisionDataset: what torchvision's image datasets share: a root, a transform of the sample
and one of the target (or `transforms` of both together), and the printed form."""
from ..utils.data import Dataset


def transformed(dataset, sample, target):
    """(sample, target) through the dataset's transforms: `transforms(sample, target)`, else `transform(sample)` and
    `target_transform(target)`, each where the dataset has one."""
    if getattr(dataset, "transforms", None) is not None:
        return dataset.transforms(sample, target)
    if dataset.transform is not None:
        sample = dataset.transform(sample)
    if dataset.target_transform is not None:
        target = dataset.target_transform(target)
    return sample, target


class VisionDataset(Dataset):
    """VisionDataset(root=None, transforms=None, transform=None, target_transform=None)."""

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if transforms is not None and (transform is not None or target_transform is not None):
            raise ValueError("Only transforms or transform/target_transform can be passed as argument")
        self.root, self.transforms = root, transforms
        self.transform, self.target_transform = transform, target_transform

    def extra_repr(self):
        """Lines the printed form adds after the root (a split, say)."""
        return ""

    def __repr__(self):
        lines = [f"Number of datapoints: {len(self)}"]
        if self.root is not None:
            lines.append(f"Root location: {self.root}")
        lines += [line for line in self.extra_repr().splitlines() if line]
        return "\n".join([f"Dataset {type(self).__name__}"] + ["    " + line for line in lines])
