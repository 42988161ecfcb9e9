namespace PrototxtLsp.Core.Semantics;

/// <summary>
/// How many bottom or top blobs a layer accepts, as Caffe's <c>CheckBlobCounts</c> checks them. Each bound is -1 when
/// Caffe does not check it; every bound that is set must hold.
/// </summary>
public readonly record struct BlobCountRule(int Exact, int Min, int Max)
{
    /// <summary>No check at all.</summary>
    public static BlobCountRule Any { get; } = new(-1, -1, -1);

    public static BlobCountRule Exactly(int n) => new(n, -1, -1);

    public static BlobCountRule AtLeast(int n) => new(-1, n, -1);

    public static BlobCountRule Between(int min, int max) => new(-1, min, max);

    /// <summary>True when Caffe checks nothing.</summary>
    public bool IsUnchecked => Exact < 0 && Min < 0 && Max < 0;

    public bool Allows(int n) => n >= 0 && (Exact < 0 || n == Exact) && (Min < 0 || n >= Min) && (Max < 0 || n <= Max);

    /// <summary>"exactly 1", "1 or 2", "2 to 4", "at least 1", "at most 2", "any number".</summary>
    public string Describe()
    {
        if (Exact >= 0) return $"exactly {Exact}";
        if (Min >= 0 && Max >= 0)
        {
            if (Min == Max) return $"exactly {Min}";
            return Max == Min + 1 ? $"{Min} or {Max}" : $"{Min} to {Max}";
        }

        if (Min >= 0) return $"at least {Min}";
        if (Max >= 0) return $"at most {Max}";
        return "any number";
    }

    public override string ToString() => Describe();
}

/// <summary>
/// Blob counts that replace a layer's usual <see cref="LayerTypeInfo.Bottoms"/> and <see cref="LayerTypeInfo.Tops"/>
/// when a parameter is set (Caffe computes these counts from the layer's parameters).
/// </summary>
/// <param name="Condition">Plain text naming the setting, e.g. "recurrent_param.expose_hidden is true".</param>
public sealed record BlobCountVariant(string Condition, BlobCountRule Bottoms, BlobCountRule Tops);

/// <summary>The categories a <see cref="LayerTypeInfo"/> belongs to.</summary>
public static class LayerCategories
{
    public const string Data = "Data";
    public const string Vision = "Vision";
    public const string Neuron = "Neuron";
    public const string Common = "Common";
    public const string Normalization = "Normalization";
    public const string Loss = "Loss";
    public const string Recurrent = "Recurrent";
    public const string Utility = "Utility";

    public static IReadOnlyList<string> All { get; } = [Data, Vision, Neuron, Common, Normalization, Loss, Recurrent, Utility];
}

/// <summary>What the project knows about one BVLC Caffe layer type (the string of a layer's <c>type</c> field).</summary>
public sealed class LayerTypeInfo
{
    internal LayerTypeInfo(string name, string category, string summary, string documentation, BlobCountRule bottoms,
        BlobCountRule tops, bool equalBottomTopCount, bool autoTopBlobs, bool allowsInPlace, IReadOnlyList<string> paramFields,
        IReadOnlyList<string> refusedParamFields, string? v1EnumName, BlobCountVariant? countVariant, int? bottomWithoutGradient,
        bool isRegistered)
    {
        Name = name;
        Category = category;
        Summary = summary;
        Documentation = documentation;
        Bottoms = bottoms;
        Tops = tops;
        EqualBottomTopCount = equalBottomTopCount;
        AutoTopBlobs = autoTopBlobs;
        AllowsInPlace = allowsInPlace;
        ParamFields = paramFields;
        RefusedParamFields = refusedParamFields;
        V1EnumName = v1EnumName;
        CountVariant = countVariant;
        BottomWithoutGradient = bottomWithoutGradient;
        IsRegistered = isRegistered;
    }

    /// <summary>
    /// A layer type a fork adds (declared in the project file, or recognised from a custom schema's <c>*_param</c>
    /// field): blob counts as declared (unchecked when not), in-place allowed unless said otherwise.
    /// </summary>
    public static LayerTypeInfo Custom(string name, BlobCountRule bottoms, BlobCountRule tops, bool allowsInPlace, IReadOnlyList<string> paramFields, string origin) =>
        new(name, LayerCategories.Utility, $"A layer type from {origin}.",
            $"{name} is not a BVLC Caffe layer; it comes from {origin}. Its blob counts are checked as declared there; its output shapes are unknown unless a built-in rule knows them.",
            bottoms, tops, equalBottomTopCount: false, autoTopBlobs: false, allowsInPlace, paramFields, [], v1EnumName: null, countVariant: null,
            bottomWithoutGradient: null, isRegistered: true);

    /// <summary>The type string, e.g. "Convolution" (case-sensitive in Caffe).</summary>
    public string Name { get; }

    /// <summary>One sentence: what the layer computes.</summary>
    public string Summary { get; }

    /// <summary>A few sentences of plain prose: what it computes, its bottoms and tops, its key parameters.</summary>
    public string Documentation { get; }

    /// <summary>The bottom count Caffe accepts with default parameters (see <see cref="CountVariant"/>).</summary>
    public BlobCountRule Bottoms { get; }

    /// <summary>The top count Caffe accepts with default parameters (see <see cref="CountVariant"/>).</summary>
    public BlobCountRule Tops { get; }

    /// <summary>Caffe requires one top per bottom.</summary>
    public bool EqualBottomTopCount { get; }

    /// <summary>Caffe creates anonymous tops up to the minimum count when the file names fewer (loss layers).</summary>
    public bool AutoTopBlobs { get; }

    /// <summary>False when Caffe refuses a top that is the same blob as the bottom (AbsVal, Flatten, Reshape, Split).</summary>
    public bool AllowsInPlace { get; }

    /// <summary>
    /// The <c>*_param</c> fields of LayerParameter the layer reads, in its own code, in its base classes or in its
    /// factory (e.g. the engine choice). Fields every layer reads (param, include, loss_weight, …) are not listed.
    /// </summary>
    public IReadOnlyList<string> ParamFields { get; }

    /// <summary><c>*_param</c> fields whose mere presence makes Caffe stop (HDF5Data refuses transform_param).</summary>
    public IReadOnlyList<string> RefusedParamFields { get; }

    /// <summary>The V1 (<c>layers { type: CONVOLUTION }</c>) enum name, or null when the V1 format has none.</summary>
    public string? V1EnumName { get; }

    /// <summary>Blob counts that apply instead of the usual ones when a parameter is set, or null.</summary>
    public BlobCountVariant? CountVariant { get; }

    /// <summary>The bottom index that never receives a gradient (labels, selectors), even with force_backward.</summary>
    public int? BottomWithoutGradient { get; }

    /// <summary>False for a type Caffe's layer factory does not know (the abstract Recurrent base).</summary>
    public bool IsRegistered { get; }

    /// <summary>Loss layers (the type name ends in "Loss").</summary>
    public bool IsLoss => Name.EndsWith("Loss", StringComparison.Ordinal);

    /// <summary>One of <see cref="LayerCategories.All"/>.</summary>
    public string Category { get; }

    public override string ToString() => Name;
}

/// <summary>
/// Every layer type of BVLC Caffe (62 type strings) with its blob-count rules, the parameter blocks it reads and a
/// short description. The counts and parameter lists follow Caffe's layer sources; the prose is the project's own.
/// </summary>
public static class LayerCatalog
{
    public static IReadOnlyList<LayerTypeInfo> All { get; } = Build();

    private static readonly Dictionary<string, LayerTypeInfo> ByName = All.ToDictionary(t => t.Name, StringComparer.Ordinal);

    private static readonly Dictionary<string, LayerTypeInfo> ByNameIgnoreCase = All.ToDictionary(t => t.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, LayerTypeInfo> ByV1Name =
        All.Where(t => t.V1EnumName is not null).ToDictionary(t => t.V1EnumName!, StringComparer.Ordinal);

    /// <summary>Exact, case-sensitive lookup, as Caffe's layer factory does it.</summary>
    public static LayerTypeInfo? Find(string typeName) => ByName.GetValueOrDefault(typeName);

    public static LayerTypeInfo? FindIgnoreCase(string typeName) => ByNameIgnoreCase.GetValueOrDefault(typeName);

    /// <summary>Lookup by V1 enum name, e.g. "INNER_PRODUCT" (case-sensitive, like protobuf enum names).</summary>
    public static LayerTypeInfo? FindByV1Name(string v1EnumName) => ByV1Name.GetValueOrDefault(v1EnumName);

    private const string RecurrentCounts =
        "The blob counts depend on recurrent_param.expose_hidden: normally it takes 2 or 3 bottoms and produces 1 top; ";

    private static LayerTypeInfo[] Build()
    {
        var one = BlobCountRule.Exactly(1);
        var none = BlobCountRule.Exactly(0);
        const string data = LayerCategories.Data, vision = LayerCategories.Vision, neuron = LayerCategories.Neuron,
            common = LayerCategories.Common, norm = LayerCategories.Normalization, loss = LayerCategories.Loss,
            recurrent = LayerCategories.Recurrent, utility = LayerCategories.Utility;

        LayerTypeInfo[] entries =
        [
            L("AbsVal", neuron, one, one, [], "ABSVAL",
                "Replaces every value by its absolute value.",
                "Computes |x| for every element of its single bottom and writes the result to its single top, which keeps the bottom's shape. " +
                "It has no parameters. Unlike most element-wise layers, Caffe refuses to run it in place, so the top must be a different blob from the bottom.",
                inPlace: false),
            L("Accuracy", loss, BlobCountRule.Exactly(2), BlobCountRule.Between(1, 2), ["accuracy_param"], "ACCURACY",
                "Measures the fraction of samples whose true label is among the top-k predicted classes.",
                "Takes the class scores as the first bottom and the integer labels as the second, and outputs the classification accuracy as a scalar top. " +
                "An optional second top receives the accuracy of each class separately. " +
                "accuracy_param sets top_k (default 1), the class axis (default 1) and an ignore_label whose samples are skipped. " +
                "It has no backward pass and is normally included only in the TEST phase."),
            L("ArgMax", utility, one, one, ["argmax_param"], "ARGMAX",
                "Outputs the indices of the largest values of each item.",
                "For every item of its single bottom it finds the top_k largest values and writes their indices to its single top. " +
                "When argmax_param.axis is set the search runs along that axis; otherwise it covers all values of each item. " +
                "With out_max_val the maximal values are output as well (alongside the indices when no axis is given, instead of them when an axis is given). " +
                "The layer has no gradient."),
            L("BNLL", neuron, one, one, [], "BNLL",
                "Applies the binomial normal log likelihood (softplus) function log(1 + exp(x)).",
                "Computes log(1 + exp(x)) element-wise, in a numerically stable way, from its single bottom to a single top of the same shape. " +
                "It is a smooth relative of ReLU and has no parameters."),
            L("BatchNorm", norm, one, one, ["batch_norm_param"], null,
                "Normalises each channel to zero mean and unit variance using batch or stored statistics.",
                "Normalises its single bottom channel by channel and writes a top of the same shape. " +
                "In training it uses the mean and variance of the current mini-batch and keeps running averages of them (moving_average_fraction, default 0.999); " +
                "with batch_norm_param.use_global_stats, which defaults to true in the TEST phase, it uses the stored averages instead. eps is added to the variance for stability. " +
                "The layer has no learned scale or shift, so it is usually followed by a Scale layer with bias_term: true, and its three internal blobs are statistics that the solver must not update (lr_mult: 0)."),
            L("BatchReindex", utility, BlobCountRule.Exactly(2), one, [], null,
                "Gathers items of the first bottom in the order given by an index blob.",
                "The first bottom holds the data and the second a one-dimensional blob of item indices into the first axis of the data. " +
                "The single top contains the selected items, one per index and in the order of the indices, so items may be repeated or left out. " +
                "It has no parameters, and it cannot pass a gradient to the index blob."),
            L("Bias", common, BlobCountRule.Between(1, 2), one, ["bias_param"], null,
                "Adds a bias, learned or taken from a second bottom, broadcast over the first bottom.",
                "Adds a bias to the first bottom and writes a top of the same shape. " +
                "The bias is either a learned blob (with one bottom) or the second bottom; its shape must match the first bottom's axes starting at bias_param.axis (default 1), covering num_axes axes (default 1, i.e. one value per channel), and it is broadcast over the others. " +
                "bias_param.filler initialises a learned bias."),
            L("Clip", neuron, one, one, ["clip_param"], null,
                "Clamps every value into the range [min, max].",
                "Copies its single bottom to a top of the same shape, replacing values below clip_param.min by min and values above clip_param.max by max. " +
                "The gradient passes through only where the input was inside the range."),
            L("Concat", utility, BlobCountRule.AtLeast(1), one, ["concat_param"], "CONCAT",
                "Joins its bottoms along one axis into a single top.",
                "Concatenates all bottoms along concat_param.axis (default 1, the channel axis); the bottoms must agree on every other axis. " +
                "The single top's size along the axis is the sum of the bottoms' sizes. concat_dim is an older spelling of the axis."),
            L("ContrastiveLoss", loss, BlobCountRule.Exactly(3), one, ["contrastive_loss_param"], "CONTRASTIVE_LOSS",
                "Contrastive loss for pairs of feature vectors, as used to train Siamese networks.",
                "The first two bottoms are the feature vectors of the two members of each pair and the third is a label that is 1 for similar and 0 for dissimilar pairs. " +
                "Similar pairs are penalised by their squared distance and dissimilar pairs by the squared amount by which their distance falls short of contrastive_loss_param.margin (default 1); the scalar top averages this over the pairs (with a factor one half). " +
                "legacy_version applies the margin to the squared distance instead. The label bottom receives no gradient.",
                noGradientBottom: 2),
            L("Convolution", vision, BlobCountRule.AtLeast(1), BlobCountRule.AtLeast(1), ["convolution_param"], "CONVOLUTION",
                "Convolves the input with a bank of learned filters.",
                "Slides num_output learned filters over the spatial axes of each bottom and writes one top per bottom, all bottoms sharing the same filters. " +
                "convolution_param sets num_output, kernel_size (or kernel_h and kernel_w), stride, pad, dilation and group (input and output channels split into groups that are convolved separately), plus bias_term, weight_filler and bias_filler. " +
                "Each output spatial size is floor((in + 2 pad - (dilation (kernel - 1) + 1)) / stride) + 1. engine chooses between Caffe's own implementation and cuDNN.",
                equalCount: true),
            L("Crop", vision, BlobCountRule.Exactly(2), one, ["crop_param"], null,
                "Crops the first bottom to the shape of the second.",
                "The first bottom is cut down to the size of the second bottom on every axis from crop_param.axis (default 2, the first spatial axis) onwards; earlier axes are kept. " +
                "crop_param.offset gives where the crop starts: one value for all cropped axes or one per axis. " +
                "The second bottom only supplies the reference shape; the layer is typically used to align upsampled scores with the input in fully convolutional nets."),
            L("Data", data, none, BlobCountRule.Between(1, 2), ["data_param", "transform_param"], "DATA",
                "Reads batches of records from a LevelDB or LMDB database.",
                "Has no bottoms; it produces the data top and, optionally, a label top from serialized Datum records. " +
                "data_param sets the source database, its backend (LEVELDB or LMDB), batch_size and the number of batches to prefetch. " +
                "transform_param applies scaling, mean subtraction, random or center cropping (crop_size) and mirroring to each image."),
            L("Deconvolution", vision, BlobCountRule.AtLeast(1), BlobCountRule.AtLeast(1), ["convolution_param"], "DECONVOLUTION",
                "Transposed convolution: the backward pass of a convolution used as a forward layer, typically for learned upsampling.",
                "Maps each bottom to one top by running a convolution in reverse, so the output is spatially larger than the input when stride is above 1. " +
                "It uses the same convolution_param as Convolution (num_output, kernel_size, stride, pad, dilation, group, bias_term, fillers); " +
                "each output spatial size is stride (in - 1) + dilation (kernel - 1) + 1 - 2 pad. " +
                "A fixed bilinear upsampling is obtained with a bilinear weight_filler and lr_mult: 0.",
                equalCount: true),
            L("Dropout", neuron, one, one, ["dropout_param"], "DROPOUT",
                "Randomly zeroes values during training as a regulariser.",
                "In the TRAIN phase each value of the single bottom is set to zero with probability dropout_param.dropout_ratio (default 0.5) and the survivors are scaled by 1 / (1 - ratio), so the expected value is unchanged. " +
                "In the TEST phase it passes its input through unchanged. It is usually run in place."),
            L("DummyData", data, none, BlobCountRule.AtLeast(1), ["dummy_data_param"], "DUMMY_DATA",
                "Produces blobs of a given shape filled with constant or random values.",
                "Has no bottoms and produces one or more tops, each shaped by dummy_data_param.shape (or the older num, channels, height and width) and filled by data_filler (default constant 0). " +
                "A single shape or filler applies to every top; otherwise give one per top. It is handy for testing and benchmarking nets without real data."),
            L("ELU", neuron, one, one, ["elu_param"], null,
                "Exponential linear unit: x for positive inputs, alpha (exp(x) - 1) otherwise.",
                "Applies the exponential linear unit element-wise from its single bottom to a top of the same shape. " +
                "elu_param.alpha (default 1) sets the value the output approaches for very negative inputs."),
            L("Eltwise", utility, BlobCountRule.AtLeast(2), one, ["eltwise_param"], "ELTWISE",
                "Combines two or more bottoms of identical shape element by element.",
                "eltwise_param.operation chooses PROD (product), SUM (the default) or MAX, and the single top has the bottoms' common shape. " +
                "For SUM, coeff gives one weight per bottom, for example 1 and -1 to compute a difference. " +
                "It is the layer that adds the shortcut and the residual branch in residual networks."),
            L("Embed", common, one, one, ["embed_param"], null,
                "Looks up a learned vector for each integer index (a word embedding).",
                "Treats every value of its single bottom as an integer index below embed_param.input_dim and outputs the matching row of a learned input_dim by num_output table, plus an optional learned bias (bias_term). " +
                "The top has the bottom's shape with an extra trailing axis of size num_output. " +
                "It is equivalent to an InnerProduct on one-hot vectors, but much cheaper; weight_filler and bias_filler initialise it."),
            L("EuclideanLoss", loss, BlobCountRule.Exactly(2), one, [], "EUCLIDEAN_LOSS",
                "Sum of squared differences between two blobs, for regression.",
                "Takes two bottoms of the same shape, typically predictions and targets, and outputs a scalar top equal to the sum of their squared differences divided by twice the batch size. " +
                "Both bottoms can receive gradients. It has no parameters of its own."),
            L("Exp", neuron, one, one, ["exp_param"], "EXP",
                "Computes base raised to the power shift + scale x.",
                "Applies y = base^(shift + scale x) element-wise from its single bottom to a top of the same shape. " +
                "exp_param.base defaults to -1, which means Euler's number e; scale defaults to 1 and shift to 0."),
            L("Filter", utility, BlobCountRule.AtLeast(2), BlobCountRule.AtLeast(1), [], null,
                "Keeps only the items whose selector value is non-zero.",
                "The last bottom is a selector holding one value per item along the first axis; every other bottom is filtered to the items whose selector is non-zero. " +
                "There must be one top per filtered bottom, that is one fewer top than bottoms. The selector receives no gradient."),
            L("Flatten", utility, one, one, ["flatten_param"], "FLATTEN",
                "Collapses a range of axes into one, for example N x C x H x W into N x (C H W).",
                "Reshapes its single bottom without copying data, merging the axes from flatten_param.axis (default 1) to end_axis (default -1, the last axis) into a single axis. " +
                "Caffe refuses to run it in place, so the top must be a different blob from the bottom.",
                inPlace: false),
            L("HDF5Data", data, none, BlobCountRule.AtLeast(1), ["hdf5_data_param"], "HDF5_DATA",
                "Reads batches from HDF5 files.",
                "Has no bottoms; hdf5_data_param.source names a text file that lists HDF5 files, and each top is filled from the dataset whose name equals the top's name. " +
                "batch_size sets the rows per batch and shuffle randomises the order of files and rows. " +
                "The data is used as stored: Caffe stops if the layer has a transform_param.",
                refused: ["transform_param"]),
            L("HDF5Output", data, BlobCountRule.Exactly(2), none, ["hdf5_output_param"], "HDF5_OUTPUT",
                "Writes its two bottoms to an HDF5 file.",
                "Takes two bottoms, saved as the data and label datasets of the HDF5 file named by hdf5_output_param.file_name, and produces no tops. " +
                "It is used to dump features or predictions while a net runs."),
            L("HingeLoss", loss, BlobCountRule.Exactly(2), one, ["hinge_loss_param"], "HINGE_LOSS",
                "One-versus-all hinge loss for multi-class classification, as for an SVM.",
                "The first bottom holds the class scores and the second the integer labels; the scalar top penalises each score that is not at least a margin of 1 on the correct side (above for the true class, below for the others). " +
                "hinge_loss_param.norm selects L1 (the default) or L2, the squared hinge. The labels receive no gradient.",
                noGradientBottom: 1),
            L("Im2col", vision, one, one, ["convolution_param"], "IM2COL",
                "Rearranges every convolution window of the input into a column.",
                "Copies each kernel-sized patch of its single bottom into the channel axis of its top, which is the first step of computing a convolution as a matrix product. " +
                "It reads the window geometry (kernel_size, stride, pad, dilation) from convolution_param; the top has C times the kernel area channels. " +
                "It has no learned parameters and is mainly useful for debugging or custom layers."),
            L("ImageData", data, none, BlobCountRule.Exactly(2), ["image_data_param", "data_param", "transform_param"], "IMAGE_DATA",
                "Reads image files listed in a text file, with their labels.",
                "Has no bottoms and produces a data top and a label top. image_data_param.source is a text file with one image path and integer label per line; " +
                "root_folder is prepended to the paths, new_height and new_width resize the images, is_color chooses colour or grey, shuffle randomises the order and batch_size sets the batch. " +
                "transform_param applies cropping, mirroring and mean subtraction, and data_param.prefetch sets how many batches are loaded ahead."),
            L("InfogainLoss", loss, BlobCountRule.Between(2, 3), BlobCountRule.Between(1, 2), ["infogain_loss_param", "loss_param"], "INFOGAIN_LOSS",
                "Multinomial logistic loss weighted by an information-gain matrix over pairs of labels.",
                "The first bottom holds raw class scores, which the layer turns into probabilities with an internal softmax, and the second the integer labels. " +
                "The matrix H, whose entry for true label i and class j weights the log-probability of class j, comes from an optional third bottom or from the file named by infogain_loss_param.source; with H the identity the layer equals SoftmaxWithLoss. " +
                "The scalar top is the loss and an optional second top receives the probabilities. loss_param sets ignore_label and the normalization.",
                noGradientBottom: 1),
            L("InnerProduct", common, one, one, ["inner_product_param"], "INNER_PRODUCT",
                "Fully connected layer: a learned matrix product plus an optional bias.",
                "Flattens its single bottom from inner_product_param.axis (default 1) onwards and multiplies it by a learned weight matrix to produce num_output values per item, adding a learned bias when bias_term is true (the default). " +
                "weight_filler and bias_filler initialise the parameters and transpose stores the weight matrix transposed."),
            L("Input", data, none, BlobCountRule.AtLeast(1), ["input_param"], null,
                "Declares the net's input blobs and their shapes.",
                "Has no bottoms; each top is an input blob that the caller fills before running the net, as in deploy nets. " +
                "input_param.shape gives the shape of the tops, either one shape for all of them or one per top. " +
                "Older files declare the same thing with net-level input and input_shape or input_dim fields, which Caffe upgrades into an Input layer."),
            L("LRN", norm, one, one, ["lrn_param"], "LRN",
                "Local response normalisation: divides each value by a function of the activity of its neighbours.",
                "Each value of the single bottom is divided by (k + alpha / n times the sum of squares over its neighbourhood) raised to beta, where n is the neighbourhood size, and the top keeps the bottom's shape. " +
                "lrn_param.norm_region chooses ACROSS_CHANNELS (the default, local_size adjacent channels) or WITHIN_CHANNEL (a local_size by local_size spatial square). " +
                "The defaults are local_size 5, alpha 1, beta 0.75 and k 1; engine chooses Caffe's or cuDNN's implementation."),
            L("LSTM", recurrent, BlobCountRule.Between(2, 3), one, ["recurrent_param"], null,
                "Long short-term memory recurrent layer over a time sequence.",
                "The first bottom is the input sequence (T x N x ...), the second the sequence-continuation flags (T x N, 0 at the first step of a sequence) and an optional third a static input seen at every step; the top is the hidden state sequence (T x N x num_output). " +
                "recurrent_param sets num_output, weight_filler and bias_filler. " +
                RecurrentCounts + "with expose_hidden set it also takes the initial hidden and cell states as bottoms (4 or 5 in all) and outputs the final ones as tops (3 in all).",
                noGradientBottom: 1,
                variant: new BlobCountVariant("recurrent_param.expose_hidden is true", BlobCountRule.Between(4, 5), BlobCountRule.Exactly(3))),
            L("LSTMUnit", recurrent, BlobCountRule.Exactly(3), BlobCountRule.Exactly(2), [], null,
                "A single time step of an LSTM cell.",
                "The bottoms are the previous cell state (1 x N x D), the pre-activation gate inputs (1 x N x 4D) and the sequence-continuation flags (1 x N); the tops are the new cell state and the new hidden state. " +
                "It has no parameters of its own and is the building block that the LSTM layer unrolls over time. The flags receive no gradient.",
                noGradientBottom: 2),
            L("Log", neuron, one, one, ["log_param"], null,
                "Computes the logarithm of shift + scale x.",
                "Applies y = log(shift + scale x) element-wise from its single bottom to a top of the same shape. " +
                "log_param.base defaults to -1, which means the natural logarithm; scale defaults to 1 and shift to 0."),
            L("MVN", norm, one, one, ["mvn_param"], "MVN",
                "Mean-variance normalisation of each item.",
                "Subtracts from its single bottom the mean of each item and channel (or of the whole item with mvn_param.across_channels) and, with normalize_variance (the default), divides by the standard deviation. " +
                "eps is added to the deviation for stability; the top keeps the bottom's shape."),
            L("MemoryData", data, none, BlobCountRule.Exactly(2), ["memory_data_param", "transform_param"], "MEMORY_DATA",
                "Serves batches from arrays handed to the net in memory.",
                "Has no bottoms and produces a data top and a label top from arrays that the program supplies through Caffe's C++ or Python interface. " +
                "memory_data_param gives batch_size, channels, height and width of the data; transform_param applies to data added as Datum records or images."),
            L("MultinomialLogisticLoss", loss, BlobCountRule.Exactly(2), one, [], "MULTINOMIAL_LOGISTIC_LOSS",
                "Negative log-likelihood of the true class given predicted probabilities.",
                "The first bottom holds class probabilities that already sum to one (for example the output of a Softmax layer) and the second the integer labels; the scalar top is the mean of minus the log-probability of each true class. " +
                "SoftmaxWithLoss computes the same thing from raw scores with better numerical stability. The labels receive no gradient.",
                noGradientBottom: 1),
            L("PReLU", neuron, one, one, ["prelu_param"], null,
                "Parametric ReLU: a ReLU whose negative slope is learned.",
                "Outputs x for positive inputs and a times x otherwise, with a learned slope a for each channel, or a single one for all channels with prelu_param.channel_shared. " +
                "prelu_param.filler initialises the slopes (0.25 by default). The top keeps the bottom's shape."),
            L("Parameter", utility, none, one, ["parameter_param"], null,
                "Exposes a learned blob as a top.",
                "Has no bottoms; its single top is a learnable parameter blob of shape parameter_param.shape, so that other layers can consume a parameter as if it were data. " +
                "The solver updates it like any other layer's weights."),
            L("Pooling", vision, one, BlobCountRule.Between(1, 2), ["pooling_param"], "POOLING",
                "Downsamples by taking the maximum or the average over spatial windows.",
                "pooling_param.pool chooses MAX (the default), AVE or STOCHASTIC; kernel_size (or kernel_h and kernel_w), stride (default 1) and pad set the windows, and global_pooling pools each whole channel to 1 x 1. " +
                "Output sizes are rounded up by default (round_mode CEIL), unlike Convolution; FLOOR rounds down. " +
                "It takes one bottom and produces one top; MAX pooling may produce a second top holding the position of each maximum. engine chooses Caffe's or cuDNN's implementation.",
                variant: new BlobCountVariant("pooling_param.pool is AVE or STOCHASTIC", one, one)),
            L("Power", neuron, one, one, ["power_param"], "POWER",
                "Computes (shift + scale x) raised to power.",
                "Applies y = (shift + scale x)^power element-wise from its single bottom to a top of the same shape. " +
                "power_param.power, scale and shift default to 1, 1 and 0, which makes it the identity."),
            L("Python", utility, BlobCountRule.Any, BlobCountRule.Any, ["python_param"], null,
                "A layer implemented by a Python class.",
                "python_param.module and layer name the Python module and class that implement setup, reshape, forward and backward, and param_str is a string passed to that class. " +
                "The class decides how many bottoms and tops it accepts. " +
                "Caffe knows this type only when built with Python layer support (WITH_PYTHON_LAYER)."),
            L("RNN", recurrent, BlobCountRule.Between(2, 3), one, ["recurrent_param"], null,
                "Simple recurrent layer with a tanh hidden state over a time sequence.",
                "At each step the hidden state is tanh of a learned mix of the previous hidden state and the current input, and the output is tanh of a learned projection of the hidden state. " +
                "The bottoms are the input sequence (T x N x ...), the sequence-continuation flags (T x N) and an optional static input; the top is the output sequence (T x N x num_output). " +
                RecurrentCounts + "with expose_hidden set it also takes the initial hidden state as a bottom (3 or 4 in all) and outputs the final one as a top (2 in all).",
                noGradientBottom: 1,
                variant: new BlobCountVariant("recurrent_param.expose_hidden is true", BlobCountRule.Between(3, 4), BlobCountRule.Exactly(2))),
            L("ReLU", neuron, one, one, ["relu_param"], "RELU",
                "Rectified linear unit: max(0, x), optionally leaky.",
                "Outputs x for positive inputs and negative_slope times x otherwise (negative_slope defaults to 0, the plain ReLU), from its single bottom to a top of the same shape. " +
                "It is usually run in place. relu_param.engine chooses Caffe's or cuDNN's implementation."),
            L("Recurrent", recurrent, BlobCountRule.Between(2, 3), one, ["recurrent_param"], null,
                "Abstract base of the RNN and LSTM layers; not usable as a layer type.",
                "Holds the machinery shared by RNN and LSTM, which unroll a small net over the time axis of their input. " +
                "Caffe's layer factory does not register this type, so a layer with type Recurrent stops the net with an unknown layer type error; use RNN or LSTM. " +
                RecurrentCounts + "with expose_hidden set the concrete layer adds its recurrent states as extra bottoms and tops.",
                noGradientBottom: 1,
                variant: new BlobCountVariant("recurrent_param.expose_hidden is true", BlobCountRule.AtLeast(3), BlobCountRule.AtLeast(2)),
                registered: false),
            L("Reduction", utility, one, one, ["reduction_param"], null,
                "Reduces trailing axes to a single value by sum, sum of absolute values, sum of squares or mean.",
                "reduction_param.operation chooses SUM (the default), ASUM, SUMSQ or MEAN, applied over all axes from axis onwards; the default axis 0 reduces the whole bottom to a scalar. " +
                "The top keeps only the axes before axis, and each result is multiplied by coeff (default 1)."),
            L("Reshape", utility, one, one, ["reshape_param"], null,
                "Changes the shape of a blob without copying its data.",
                "reshape_param.shape lists the new dimensions, where 0 copies the bottom's dimension at that position and -1 (at most once) is inferred from the total count. " +
                "axis and num_axes restrict the replacement to a range of the bottom's axes (by default all of them). " +
                "Caffe refuses to run it in place, so the top must be a different blob from the bottom.",
                inPlace: false),
            L("SPP", vision, one, one, ["spp_param"], null,
                "Spatial pyramid pooling: pools over grids of several sizes and concatenates the results.",
                "Pools its single bottom at spp_param.pyramid_height levels, level l dividing each spatial axis into 2^l bins, and flattens and concatenates all bins into one vector per item. " +
                "The output length therefore does not depend on the input's spatial size. spp_param.pool chooses MAX (the default), AVE or STOCHASTIC."),
            L("Scale", common, BlobCountRule.Between(1, 2), one, ["scale_param"], null,
                "Multiplies by a scale factor, learned or taken from a second bottom, broadcast over the first bottom, with an optional bias.",
                "The factor is either a learned blob (with one bottom) or the second bottom; its shape must match the first bottom's axes starting at scale_param.axis (default 1) covering num_axes axes (default 1, one factor per channel), and it is broadcast over the others. " +
                "filler initialises a learned factor (constant 1 by default) and bias_term adds a learned bias initialised by bias_filler. " +
                "A Scale layer with bias_term: true after BatchNorm supplies the learned scale and shift of batch normalisation."),
            L("Sigmoid", neuron, one, one, ["sigmoid_param"], "SIGMOID",
                "Logistic sigmoid 1 / (1 + exp(-x)).",
                "Applies the logistic function element-wise from its single bottom to a top of the same shape, mapping every value into (0, 1). " +
                "sigmoid_param.engine chooses Caffe's or cuDNN's implementation."),
            L("SigmoidCrossEntropyLoss", loss, BlobCountRule.Exactly(2), one, ["loss_param"], "SIGMOID_CROSS_ENTROPY_LOSS",
                "Cross-entropy between sigmoid probabilities of the scores and binary targets.",
                "The first bottom holds raw scores and the second targets in [0, 1] with the same count; the layer applies the sigmoid internally, in a numerically stable way, and outputs the cross-entropy as a scalar top. " +
                "It suits independent binary (multi-label) predictions. loss_param sets ignore_label and the normalization. The targets receive no gradient.",
                noGradientBottom: 1),
            L("Silence", utility, BlobCountRule.AtLeast(1), none, [], "SILENCE",
                "Consumes blobs and produces nothing.",
                "Takes one or more bottoms and has no tops, so that blobs nobody else uses are not reported as net outputs. " +
                "In the backward pass it gives its bottoms zero gradient."),
            L("Slice", utility, one, BlobCountRule.AtLeast(1), ["slice_param"], "SLICE",
                "Splits a blob along one axis into several tops.",
                "Cuts its single bottom along slice_param.axis (default 1, the channel axis) into one piece per top. " +
                "slice_point lists the cut positions, one fewer than the number of tops; without it the bottom is divided into equal parts. slice_dim is an older spelling of the axis."),
            L("Softmax", common, one, one, ["softmax_param"], "SOFTMAX",
                "Turns scores into probabilities with the softmax function.",
                "Exponentiates its single bottom and normalises along softmax_param.axis (default 1) so that the values along that axis sum to one; the top keeps the bottom's shape. " +
                "It is used at the end of deploy nets; for training, SoftmaxWithLoss is more stable. engine chooses Caffe's or cuDNN's implementation."),
            L("SoftmaxWithLoss", loss, BlobCountRule.Exactly(2), BlobCountRule.Between(1, 2), ["loss_param", "softmax_param"], "SOFTMAX_LOSS",
                "Softmax followed by multinomial logistic loss, computed together for numerical stability.",
                "The first bottom holds raw class scores and the second integer labels; the scalar top is the average negative log-probability of the true classes, and an optional second top receives the probabilities. " +
                "softmax_param.axis sets the class axis (default 1); loss_param sets ignore_label and how the loss is normalised (normalization, default VALID). " +
                "The labels receive no gradient.",
                noGradientBottom: 1),
            L("Split", utility, one, BlobCountRule.AtLeast(1), [], "SPLIT",
                "Copies one blob to several tops.",
                "Shares its single bottom with each of its tops and sums their gradients in the backward pass. " +
                "Caffe inserts Split layers by itself wherever one blob feeds several layers, so files rarely name it. " +
                "Caffe refuses to run it in place.",
                inPlace: false),
            L("Swish", neuron, one, one, ["swish_param"], null,
                "Swish activation x times sigmoid(beta x).",
                "Applies x / (1 + exp(-beta x)) element-wise from its single bottom to a top of the same shape. swish_param.beta defaults to 1."),
            L("TanH", neuron, one, one, ["tanh_param"], "TANH",
                "Hyperbolic tangent.",
                "Applies tanh element-wise from its single bottom to a top of the same shape, mapping every value into (-1, 1). " +
                "tanh_param.engine chooses Caffe's or cuDNN's implementation."),
            L("Threshold", neuron, one, one, ["threshold_param"], "THRESHOLD",
                "Outputs 1 where the input exceeds a threshold and 0 elsewhere.",
                "Compares each value of its single bottom with threshold_param.threshold (default 0) and writes 1 if it is greater and 0 otherwise to a top of the same shape. " +
                "The step has no useful gradient, and the layer implements no backward pass."),
            L("Tile", utility, one, one, ["tile_param"], null,
                "Repeats a blob several times along one axis.",
                "Copies its single bottom tile_param.tiles times along tile_param.axis (default 1), so the top's size along that axis is multiplied by tiles. " +
                "The backward pass sums the gradients of the copies."),
            L("WindowData", data, none, BlobCountRule.Exactly(2), ["window_data_param", "data_param", "transform_param"], "WINDOW_DATA",
                "Samples labelled image windows for detection fine-tuning (R-CNN).",
                "Has no bottoms and produces a data top and a label top. window_data_param.source is a window file listing images and candidate boxes with their overlap with the ground truth; " +
                "windows above fg_threshold count as foreground, those below bg_threshold as background, and fg_fraction sets the share of foreground windows in each batch. " +
                "Each window is cropped with context_pad pixels of context and warped to the crop_size of transform_param, which also controls mirroring and mean subtraction."),
        ];

        Array.Sort(entries, (a, b) => string.CompareOrdinal(a.Name, b.Name));
        return entries;
    }

    private static LayerTypeInfo L(string name, string category, BlobCountRule bottoms, BlobCountRule tops, string[] paramFields,
        string? v1EnumName, string summary, string documentation, bool equalCount = false, bool inPlace = true,
        int? noGradientBottom = null, BlobCountVariant? variant = null, string[]? refused = null, bool registered = true) =>
        new(name, category, summary, documentation, bottoms, tops, equalCount,
            // In BVLC Caffe exactly the LossLayer subclasses ask for automatic tops, and they are the types named *Loss.
            autoTopBlobs: name.EndsWith("Loss", StringComparison.Ordinal),
            inPlace, paramFields, refused ?? [], v1EnumName, variant, noGradientBottom, registered);
}
